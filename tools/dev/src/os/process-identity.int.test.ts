import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { waitFor } from '@nexu/service-kit';
import { readProcStatSync } from '@nexu/service-kit/proc-stat';
import { afterEach, describe, expect, it } from 'vitest';
import { killAndWait, spawnListener, spawnSleeper } from '../test-support/spawn-listener.js';
import { isProcessAlive, processIdentity } from './process-identity.js';

async function childrenOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (readProcStatSync(Number(name))?.ppid === pid) found.push(Number(name));
  }
  return found;
}

describe('processIdentity', () => {
  const pids: number[] = [];
  afterEach(async () => {
    for (const pid of pids.splice(0)) expect(await killAndWait(pid)).toBe(true);
  });

  it('describes a live process: start time, argv, cwd, group and marker', async () => {
    const port = 0;
    const listener = await spawnListener({ port, instance: 'abcd1234' });
    pids.push(listener.pid);
    const identity = await processIdentity(listener.pid);
    expect(identity).toMatchObject({
      pid: listener.pid,
      ppid: process.pid,
      pgid: listener.pid,
      cwd: process.cwd(),
      instance: 'abcd1234',
    });
    expect(identity?.argv[0]).toBe(process.execPath);
    expect(identity?.command).toContain('net.createServer');
    expect(identity?.startTime).toMatch(/\S/);
    expect((await processIdentity(listener.pid))?.startTime).toBe(identity?.startTime);
  });

  it('has no marker for a process started without NEXU_DEV_INSTANCE', async () => {
    const sleeper = spawnSleeper();
    pids.push(sleeper.pid);
    const identity = await processIdentity(sleeper.pid);
    expect(identity).not.toBeNull();
    expect(identity?.instance).toBeUndefined();
  });

  it('gives different start times to different processes', async () => {
    const a = spawnSleeper();
    pids.push(a.pid);
    expect((await processIdentity(a.pid))?.startTime).not.toBe(
      (await processIdentity(process.pid))?.startTime,
    );
  });

  it('returns null and not alive for a pid that does not exist', async () => {
    const sleeper = spawnSleeper();
    expect(await killAndWait(sleeper.pid)).toBe(true);
    expect(await processIdentity(sleeper.pid)).toBeNull();
    expect(isProcessAlive(sleeper.pid)).toBe(false);
    expect(await processIdentity(-1)).toBeNull();
  });

  it.skipIf(process.platform !== 'linux')('returns null and not alive for a zombie', async () => {
    // `sleep` never reaps: the backgrounded `true` stays a zombie child of it.
    const shell = spawn('sh', ['-c', 'true & exec sleep 30'], { detached: true, stdio: 'ignore' });
    pids.push(shell.pid!);
    const zombie = await waitFor(
      async () => {
        for (const pid of await childrenOf(shell.pid!)) {
          if (readProcStatSync(pid)?.state === 'Z') return pid;
        }
        return undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(zombie.ok).toBe(true);
    const pid = (zombie as { value: number }).value;
    expect(await processIdentity(pid)).toBeNull();
    expect(isProcessAlive(pid)).toBe(false);
    expect(isProcessAlive(shell.pid!)).toBe(true);
  });
});
