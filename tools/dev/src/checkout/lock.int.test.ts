import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIdentity } from '../os/process-identity.js';
import { killAndWait, spawnSleeper } from '../test-support/spawn-listener.js';
import { createTempCheckout } from '../test-support/temp-checkout.js';
import { writeLockHolder } from '../test-support/write-lock-holder.js';
import type { Checkout } from './checkout.js';
import { ensureStateDirs } from './ensure-state-dirs.js';
import { acquireLock, type Lock } from './lock.js';
import { LockHeldError } from './lock-held-error.js';

describe('acquireLock', () => {
  let remove: () => void;
  let checkout: Checkout;
  const pids: number[] = [];
  const locks: Lock[] = [];

  beforeEach(async () => {
    ({ remove, checkout } = createTempCheckout({ services: false }));
    await ensureStateDirs(checkout);
  });
  afterEach(async () => {
    await Promise.all(locks.splice(0).map((lock) => lock.release()));
    for (const pid of pids.splice(0)) expect(await killAndWait(pid)).toBe(true);
    remove();
  });

  const writeHolder = (...holder: [pid: number, startTime: string, command?: string, brief?: boolean]) =>
    writeLockHolder(checkout.lockPath, ...holder);

  it('waits for a brief holder (a hot reload restarting a service) instead of failing, then takes the lock', async () => {
    const holder = spawnSleeper();
    pids.push(holder.pid);
    const identity = await processIdentity(holder.pid);
    await writeHolder(holder.pid, identity!.startTime, 'pnpm start (hot reload)', true);
    let taken = false;
    const waiting = acquireLock(checkout, { command: 'pnpm stop' }).then((lock) => {
      taken = true;
      locks.push(lock);
      return lock;
    });
    // Still waiting while the holder lives (a non-brief holder fails at once: see below).
    await waitFor(() => false, { timeoutMs: 300 });
    expect(taken).toBe(false);
    await killAndWait(holder.pid);
    pids.splice(pids.indexOf(holder.pid), 1);
    expect((await waiting).record).toMatchObject({ pid: process.pid, command: 'pnpm stop' });
  });

  it('throws LockHeldError naming the live holder of another process', async () => {
    const holder = spawnSleeper();
    pids.push(holder.pid);
    const identity = await processIdentity(holder.pid);
    await writeHolder(holder.pid, identity!.startTime);
    const error = await acquireLock(checkout, { command: 'pnpm stop' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).pid).toBe(holder.pid);
    expect((error as Error).message).toContain(
      `another nexu dev command (pid ${holder.pid}, \`pnpm start\`) is running in this checkout; wait for it or stop it`,
    );
    expect(JSON.parse(await readFile(checkout.lockPath, 'utf8')).pid).toBe(holder.pid);
  });

  it('takes over a lock whose holder has died', async () => {
    const holder = spawnSleeper();
    const identity = await processIdentity(holder.pid);
    expect(await killAndWait(holder.pid)).toBe(true);
    await writeHolder(holder.pid, identity!.startTime);
    const lock = await acquireLock(checkout, { command: 'pnpm start' });
    locks.push(lock);
    expect(JSON.parse(await readFile(checkout.lockPath, 'utf8')).pid).toBe(process.pid);
  });

  it('takes over a lock whose pid now belongs to another process (start time differs)', async () => {
    const other = spawnSleeper();
    pids.push(other.pid);
    await writeHolder(other.pid, '1');
    locks.push(await acquireLock(checkout, { command: 'pnpm start' }));
    expect(JSON.parse(await readFile(checkout.lockPath, 'utf8')).pid).toBe(process.pid);
    expect(await processIdentity(other.pid)).not.toBeNull();
  });

  it('does not remove a lock that another command took after ours was taken over', async () => {
    const lock = await acquireLock(checkout, { command: 'pnpm start' });
    const other = spawnSleeper();
    pids.push(other.pid);
    await writeHolder(other.pid, (await processIdentity(other.pid))!.startTime, 'pnpm stop');
    await lock.release();
    expect(JSON.parse(await readFile(checkout.lockPath, 'utf8')).pid).toBe(other.pid);
  });

  it('lets only one of many concurrent acquirers of a stale lock win', async () => {
    // The race is one of timing: many rounds, so that a lock taken twice shows.
    for (let round = 1; round <= 200; round++) {
      await writeHolder(999_999_999, '1');
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, () => acquireLock(checkout, { command: 'pnpm start' })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      for (const r of won) locks.push((r as PromiseFulfilledResult<Lock>).value);
      expect(won, `round ${round}`).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(LockHeldError);
      }
      await Promise.all(locks.splice(0).map((lock) => lock.release()));
      // Nothing of the takeover is left beside the lock.
      expect((await readdir(checkout.stateDir)).filter((name) => name.startsWith('lock.'))).toEqual([]);
    }
  });

  it('lets exactly one of several separate processes take over a stale lock', async () => {
    await writeHolder(999_999_999, '1');
    const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
    const racer = fileURLToPath(new URL('../test-support/race-for-lock.ts', import.meta.url));
    const racers = Array.from({ length: 4 }, () => {
      const child = spawn(tsx, [racer, JSON.stringify(checkout)], { stdio: ['pipe', 'pipe', 'inherit'] });
      pids.push(child.pid!);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      return { child, output: () => out.trim() };
    });
    const settled = await waitFor(() => racers.every((r) => r.output() !== ''), { timeoutMs: 20_000 });
    expect(settled.ok).toBe(true);
    const outcomes = racers.map((r) => r.output()).sort();
    expect(outcomes).toEqual(['held', 'held', 'held', 'won']);
    for (const racer of racers) racer.child.stdin.end();
  });
});
