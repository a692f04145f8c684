import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { isSameProcessSync, processStartTimeSync } from '@nexu/service-kit/proc-stat';
import type { Checkout } from './checkout.js';
import { LockHeldError } from './lock-held-error.js';

/** What the lock file holds: enough to tell a live holder from a dead one or a reused pid. */
export interface LockRecord {
  readonly pid: number;
  /** Start time of `pid` (see `ProcessIdentity.startTime`). */
  readonly startTime: string;
  /** The command holding the lock, for messages (`pnpm start`). */
  readonly command: string;
  /** ISO time the lock was taken. */
  readonly at: string;
  /** Held for a moment only (a hot reload's restart): other commands wait for it instead of failing. */
  readonly brief?: boolean;
}

export interface AcquireLockOptions {
  /** Shown to other commands that find the lock held (`pnpm start`). */
  command: string;
  /** Wait up to this many ms for a live holder to finish (default 0: fail at once). */
  waitMs?: number;
  /** This holder keeps the lock for a moment only: others wait for it (up to `BRIEF_WAIT_MS`). */
  brief?: boolean;
  /**
   * Create the state folder when it is missing (default true). False: a missing folder (the state
   * was reset meanwhile) is an error (ENOENT) instead of being brought back.
   */
  createDir?: boolean;
}

/** How long any command waits for a brief holder (a hot reload restarting one service). */
export const BRIEF_WAIT_MS = 30_000;

/** This checkout's lock, held until `release()` or process exit. */
export interface Lock {
  readonly path: string;
  readonly record: LockRecord;
  /** Removes the lock if it is still ours. Idempotent: every call returns the same promise. */
  release(): Promise<void>;
}

type Attempt = { readonly ok: true } | { readonly ok: false; readonly holder: LockRecord };

const unique = () => `${process.pid}.${randomBytes(4).toString('hex')}`;

function parseRecord(text: string): LockRecord | null {
  try {
    const raw = JSON.parse(text) as Partial<LockRecord>;
    if (!Number.isInteger(raw.pid) || typeof raw.startTime !== 'string') return null;
    return {
      pid: raw.pid!,
      startTime: raw.startTime,
      command: String(raw.command ?? '?'),
      at: String(raw.at),
      ...(raw.brief === true ? { brief: true } : {}),
    };
  } catch {
    return null;
  }
}

// The content is written to a private temp file first and then hard-linked into place: link fails
// with EEXIST atomically, and nobody can ever read a half-written lock.
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${unique()}.new`;
  await writeFile(temp, content, { flag: 'wx', mode: 0o600 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

// Moves the file at `path` aside and removes it if it still held `judged`; else links it back.
// Renaming is atomic, so only one caller moves a given file; a file created meanwhile by someone
// else is put back (unless yet another one was created in that moment: see `removeStale`).
async function removeIfUnchanged(path: string, judged: string): Promise<void> {
  const aside = `${path}.${unique()}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => null);
  if (moved !== judged) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

/** How long a command waits for another one that is removing the same stale lock. */
const TAKEOVER_WAIT_MS = 2_000;

// Several commands may judge the same lock stale at once. Its removal is serialised by a second
// lock beside it (`<path>.takeover`, taken the same exclusive way and held for a moment): under it
// the lock is removed only while it still holds what was judged stale, so a fresh lock that another
// command took meanwhile is never removed. (Moving the lock aside and linking a fresh one back
// left a moment without any lock file, in which a third command took the lock too.) A takeover
// lock whose holder died is itself removed.
async function removeStale(path: string, judged: string, content: string): Promise<void> {
  const guard = `${path}.takeover`;
  const stillJudged = async () => (await readFile(path, 'utf8').catch(() => null)) === judged;
  const taken = await waitFor(
    async () => {
      // Removed (and maybe taken) by another command meanwhile: nothing left to do here.
      if (!(await stillJudged())) return 'gone';
      if (await createExclusive(guard, content)) return 'taken';
      const text = await readFile(guard, 'utf8').catch(() => null);
      const remover = text === null ? null : parseRecord(text);
      if (text !== null && !(remover && isHolderAlive(remover))) await removeIfUnchanged(guard, text);
      return undefined;
    },
    { timeoutMs: TAKEOVER_WAIT_MS, intervalMs: 1, maxIntervalMs: 10 },
  );
  if (!taken.ok || taken.value === 'gone') return;
  try {
    if (await stillJudged()) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

// A holder that could not read its own start time recorded '': then the pid alone decides, erring
// on the side of "still held" rather than taking over a live command's lock.
// One /proc read on Linux, one `ps` on macOS: the process keeper asks it on every wait of a reload.
function isHolderAlive(holder: LockRecord): boolean {
  return isSameProcessSync(holder.pid, holder.startTime === '' ? null : holder.startTime);
}

async function tryAcquire(path: string, content: string): Promise<Attempt> {
  let holder: LockRecord | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, content)) return { ok: true };
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) continue;
    holder = parseRecord(text);
    if (holder && isHolderAlive(holder)) return { ok: false, holder };
    await removeStale(path, text, content);
  }
  return { ok: false, holder: holder ?? { pid: 0, startTime: '', command: '?', at: '' } };
}

function releaseSync(path: string, content: string): void {
  try {
    if (readFileSync(path, 'utf8') === content) unlinkSync(path);
  } catch {
    // Already gone: nothing to release.
  }
}

/** Takes this checkout's exclusive lock; throws LockHeldError while another live command holds it. */
export async function acquireLock(checkout: Checkout, options: AcquireLockOptions): Promise<Lock> {
  const result = await takeRecordLock(checkout.lockPath, options);
  if (!result.ok) throw new LockHeldError(result.holder, checkout.lockPath);
  return result.lock;
}

/** The lock taken, or the live holder that has it. */
export type TakeLockResult =
  | { readonly ok: true; readonly lock: Lock }
  | { readonly ok: false; readonly holder: LockRecord };

/**
 * Takes the exclusive record at `path` (pid + start time, stale-safe: a dead holder or a reused
 * pid is taken over), waiting up to `waitMs` for a live holder (longer for a brief one).
 */
export async function takeRecordLock(path: string, options: AcquireLockOptions): Promise<TakeLockResult> {
  // Only the lock's own folder: creating NEXU_HOME here would make `pnpm stop` fail on a
  // dangling nexu-home symlink, exactly when the services most need stopping.
  if (options.createDir !== false) await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const record: LockRecord = {
    pid: process.pid,
    startTime: processStartTimeSync(process.pid) ?? '',
    command: options.command,
    at: new Date().toISOString(),
    ...(options.brief ? { brief: true } : {}),
  };
  const content = `${JSON.stringify(record)}\n`;
  const waitMs = options.waitMs ?? 0;
  const began = Date.now();
  let holder: LockRecord | undefined;
  const result = await waitFor(
    async () => {
      const attempt = await tryAcquire(path, content);
      if (attempt.ok) return true;
      holder = attempt.holder;
      // A brief holder (a hot reload) is waited for; any other only as long as asked.
      if (!holder.brief && Date.now() - began >= waitMs) return 'held';
      return undefined;
    },
    { timeoutMs: Math.max(waitMs, BRIEF_WAIT_MS), maxIntervalMs: 250 },
  );
  if (!result.ok || result.value === 'held') {
    return { ok: false, holder: holder ?? { pid: 0, startTime: '', command: '?', at: '' } };
  }

  const onExit = () => releaseSync(path, content);
  process.on('exit', onExit);
  let released: Promise<void> | undefined;
  const lock: Lock = {
    path,
    record,
    release() {
      released ??= Promise.resolve().then(() => {
        process.off('exit', onExit);
        releaseSync(path, content);
      });
      return released;
    },
  };
  return { ok: true, lock };
}

/** What the lock or record at a path says, read only: free, held by a live command, or left stale. */
export type LockState =
  | { readonly state: 'free' }
  | { readonly state: 'held'; readonly holder: LockRecord }
  /** Its holder is gone (or its pid now runs another process); `holder` null when unreadable. */
  | { readonly state: 'stale'; readonly holder: LockRecord | null };

/** Reads the lock or record at `path` without taking or removing it. */
export async function readLockState(path: string): Promise<LockState> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return { state: 'free' };
  const holder = parseRecord(text);
  if (holder && isHolderAlive(holder)) return { state: 'held', holder };
  return { state: 'stale', holder };
}

/** Reads the holder of the lock or record at `path` when it is alive; null when free or stale. */
export async function readLiveHolder(path: string): Promise<LockRecord | null> {
  const lock = await readLockState(path);
  return lock.state === 'held' ? lock.holder : null;
}
