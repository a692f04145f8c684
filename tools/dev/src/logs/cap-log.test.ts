import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCheckout } from '../checkout/checkout.js';
import { capLogFile, capLogs, parseCapMarker } from './cap-log.js';

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
  it('cuts a file over the cap in place to a tail that starts at a line boundary', async () => {
    const path = join(dir, 'gateway.log');
    writeFileSync(path, numbered(1, 1000)); // 11 bytes a line
    const inode = statSync(path).ino;

    const result = await capLogFile(path, { maxBytes: 5000, keepBytes: 1000 });

    expect(result.outcome).toBe('capped');
    expect(statSync(path).ino).toBe(inode);
    const [marker, ...rest] = readFileSync(path, 'utf8').split('\n');
    expect(parseCapMarker(marker!)).toBe(11_000 - rest.join('\n').length);
    expect(rest.join('\n')).toBe(numbered(911, 1000));
    expect(statSync(path).size).toBeLessThanOrEqual(1000 + marker!.length + 1);
  });

  it('leaves a file under the cap untouched and reports a missing one', async () => {
    const path = join(dir, 'web.log');
    writeFileSync(path, numbered(1, 10));
    expect(await capLogFile(path, { maxBytes: 5000, keepBytes: 1000 })).toEqual({
      outcome: 'under-cap',
      size: 110,
    });
    expect(readFileSync(path, 'utf8')).toBe(numbered(1, 10));
    expect(await capLogFile(join(dir, 'none.log'))).toEqual({ outcome: 'missing' });
  });

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

describe('capLogs', () => {
  it("caps every service log of a checkout and skips the ones that don't exist", async () => {
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), '');
    const checkout = resolveCheckout(dir);
    mkdirSync(checkout.logsDir, { recursive: true });
    writeFileSync(join(checkout.logsDir, 'gateway.log'), numbered(1, 1000));
    writeFileSync(join(checkout.logsDir, 'web.log'), numbered(1, 3));

    const results = await capLogs(checkout, { maxBytes: 5000, keepBytes: 1000 });

    expect(results.gateway?.outcome).toBe('capped');
    expect(results.controller).toEqual({ outcome: 'missing' });
    expect(results.web).toEqual({ outcome: 'under-cap', size: 33 });
  });
});
