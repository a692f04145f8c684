import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followForTest } from '../test-support/follow-for-test.js';
import type { LogFollower } from './follow-logs.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const tsx = join(repoRoot, 'node_modules/.bin/tsx');

let dir: string;
let followers: LogFollower[];
let children: ChildProcess[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'follow-logs-'));
  followers = [];
  children = [];
});

afterEach(async () => {
  await Promise.all(followers.map((f) => f.close()));
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const follow = (sources: Record<string, string>, lines = 10) => followForTest(followers, sources, lines);

async function expectEventually(check: () => boolean, what: string) {
  const result = await waitFor(check, { timeoutMs: 10_000 });
  expect(result.ok, what).toBe(true);
}

/** Runs `node -e code` and resolves with its exit code. */
function runNode(code: string, args: string[] = []): Promise<number | null> {
  const child = spawn(process.execPath, ['-e', code, ...args], { stdio: 'ignore' });
  children.push(child);
  return new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
}

describe('followLogs', () => {
  it('sees the lines of a service process and of the process that replaced it', async () => {
    const path = join(dir, 'controller.log');
    const writer = `
      const fs = require('node:fs');
      const fd = fs.openSync(process.argv[1], 'a');
      let n = 0;
      const timer = setInterval(() => {
        fs.writeSync(fd, process.argv[2] + ' line ' + ++n + '\\n');
        if (n === 3) clearInterval(timer);
      }, 20);`;
    const { follower, seen } = follow({ controller: path });
    await follower.ready;
    expect(await runNode(writer, [path, 'first'])).toBe(0);
    await expectEventually(() => seen.length === 3, 'the first process lines');
    expect(await runNode(writer, [path, 'second'])).toBe(0);
    await expectEventually(() => seen.length === 6, 'the restarted process lines');
    expect(seen.map((s) => s.line)).toEqual([
      'first line 1',
      'first line 2',
      'first line 3',
      'second line 1',
      'second line 2',
      'second line 3',
    ]);
  });

  it('close() returns the same promise every time and leaves nothing that keeps the process alive', async () => {
    const path = join(dir, 'web.log');
    writeFileSync(path, 'x\n');
    const script = join(dir, 'close-check.mts');
    writeFileSync(
      script,
      `import { followLogs } from ${JSON.stringify(join(repoRoot, 'tools/dev/src/logs/follow-logs.ts'))};
       const follower = followLogs({ sources: [{ service: 'web', path: ${JSON.stringify(path)} }], lines: 1, onLine: () => {} });
       await follower.ready;
       await follower.nextPoll();
       const first = follower.close();
       if (first !== follower.close()) process.exit(3);
       await first;
       // No process.exit: the process must end on its own.
      `,
    );
    const child = spawn(tsx, [script], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(child);
    const exited = await waitFor(() => child.exitCode !== null || child.signalCode !== null, {
      timeoutMs: 15_000,
    });
    expect(exited.ok, 'the process ended on its own').toBe(true);
    expect(child.exitCode).toBe(0);
  });
});
