import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIdentity } from '../os/process-identity.js';
import { createTempCheckout } from '../test-support/temp-checkout.js';
import { writeLockHolder } from '../test-support/write-lock-holder.js';
import type { Checkout } from './checkout.js';
import { ensureStateDirs } from './ensure-state-dirs.js';
import { acquireLock, type Lock } from './lock.js';
import { LockHeldError } from './lock-held-error.js';

describe('acquireLock', () => {
  let remove: () => void;
  let checkout: Checkout;
  const locks: Lock[] = [];

  beforeEach(async () => {
    ({ remove, checkout } = createTempCheckout({ services: false }));
    await ensureStateDirs(checkout);
  });
  afterEach(async () => {
    await Promise.all(locks.splice(0).map((lock) => lock.release()));
    remove();
  });

  const writeHolder = (...holder: [pid: number, startTime: string, command?: string, brief?: boolean]) =>
    writeLockHolder(checkout.lockPath, ...holder);

  it('does not bring a removed state folder back when asked not to', async () => {
    await rm(checkout.stateDir, { recursive: true });
    const error = await acquireLock(checkout, { command: 'pnpm start (hot reload)', createDir: false }).catch(
      (e: NodeJS.ErrnoException) => e,
    );
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(existsSync(checkout.stateDir)).toBe(false);
  });

  it('creates the lock file with this process as holder, and release removes it', async () => {
    const lock = await acquireLock(checkout, { command: 'pnpm stop' });
    const record = JSON.parse(await readFile(checkout.lockPath, 'utf8'));
    expect(record).toMatchObject({ pid: process.pid, command: 'pnpm stop' });
    expect(record.startTime).toBe((await processIdentity(process.pid))?.startTime);
    await lock.release();
    expect(existsSync(checkout.lockPath)).toBe(false);
  });

  it('refuses a second holder while the first one lives', async () => {
    locks.push(await acquireLock(checkout, { command: 'pnpm start' }));
    const error = await acquireLock(checkout, { command: 'pnpm stop' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect(error).toMatchObject({ pid: process.pid, command: 'pnpm start' });
  });

  it('takes over a lock file that is not valid JSON', async () => {
    await writeFile(checkout.lockPath, '{"pid": 12');
    locks.push(await acquireLock(checkout, { command: 'pnpm start' }));
    expect(JSON.parse(await readFile(checkout.lockPath, 'utf8')).pid).toBe(process.pid);
  });

  it('waits for a live holder that finishes within waitMs', async () => {
    const first = await acquireLock(checkout, { command: 'pnpm start' });
    const second = acquireLock(checkout, { command: 'pnpm stop', waitMs: 10_000 });
    await first.release();
    const lock = await second;
    locks.push(lock);
    expect(lock.record.command).toBe('pnpm stop');
  });

  it('releases idempotently and leaves no temp files behind', async () => {
    const lock = await acquireLock(checkout, { command: 'pnpm start' });
    const first = lock.release();
    expect(lock.release()).toBe(first);
    await first;
    await lock.release();
    expect(await readdir(checkout.stateDir)).not.toContain('lock');
    expect((await readdir(checkout.stateDir)).filter((f) => f.startsWith('lock'))).toEqual([]);
  });

  it('takes over a stale lock whose takeover was left by a command that died in it', async () => {
    await writeHolder(999_999_999, '1');
    await writeFile(
      `${checkout.lockPath}.takeover`,
      JSON.stringify({
        pid: 999_999_998,
        startTime: '1',
        command: 'pnpm stop',
        at: new Date().toISOString(),
      }),
    );
    locks.push(await acquireLock(checkout, { command: 'pnpm start' }));
    expect(JSON.parse(await readFile(checkout.lockPath, 'utf8')).pid).toBe(process.pid);
    expect((await readdir(checkout.stateDir)).filter((name) => name.startsWith('lock.'))).toEqual([]);
  });
});
