import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capLogFile } from './cap-log.js';

let dir: string;
let children: ChildProcess[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cap-log-'));
  children = [];
});

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const numbered = (from: number, to: number, prefix = 'line') =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${String(from + i).padStart(5, '0')}\n`).join(
    '',
  );

describe('capLogFile', () => {
  it('keeps the output of a process that opened the log in append mode before the cap', async () => {
    const path = join(dir, 'controller.log');
    writeFileSync(path, numbered(1, 1000, 'old'));
    // The service: opens the log O_APPEND (as launchd/systemd/the keeper do), writes a line, then
    // writes more lines when told to on stdin, with the same file descriptor.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         const fd = fs.openSync(process.argv[1], 'a');
         fs.writeSync(fd, 'service started\\n');
         process.stdin.once('data', () => {
           for (let i = 1; i <= 3; i++) fs.writeSync(fd, 'after cap ' + i + '\\n');
           process.exit(0);
         });`,
        path,
      ],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    children.push(child);
    const started = await waitFor(() => readFileSync(path, 'utf8').endsWith('service started\n'));
    expect(started.ok).toBe(true);

    expect((await capLogFile(path, { maxBytes: 5000, keepBytes: 1000 })).outcome).toBe('capped');
    const cappedSize = statSync(path).size;
    child.stdin!.end('go\n');
    const exited = await waitFor(() => child.exitCode !== null);
    expect(exited.ok).toBe(true);

    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('\0'); // no hole: writes went to the new end, not the old offset
    expect(text.endsWith('service started\nafter cap 1\nafter cap 2\nafter cap 3\n')).toBe(true);
    expect(statSync(path).size).toBe(cappedSize + 'after cap 1\n'.length * 3);
  });
});
