import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@nexu/service-kit';
import type { Checkout } from '../checkout/checkout.js';
import { type LockRecord, readLiveHolder } from '../checkout/lock.js';
import { readLogTail } from '../logs/read-last-lines.js';
import { isProcessAlive, processIdentity } from '../os/process-identity.js';
import { terminateGroup } from '../os/terminate-group.js';
import { serviceLogPath, WATCH_LOG_NAME } from '../services/service-log-path.js';

/** Set in the environment of the background watch session `pnpm start --detach` leaves running. */
export const BACKGROUND_WATCH_ENV = 'NEXU_DEV_WATCH_BACKGROUND';

/** What the background session records as the watcher (`.tmp/dev/watcher`). */
export const BACKGROUND_WATCHER_COMMAND = 'pnpm start --detach';

export { WATCH_LOG_NAME };

/** `.tmp/dev/nexu-home/logs/watch.log`: what the background watch session prints. */
export function watchLogPath(checkout: Checkout): string {
  return serviceLogPath(checkout, WATCH_LOG_NAME);
}

/** Who watches this checkout now, if anyone: its pid, and whether it is a background session. */
export interface WatcherState {
  readonly pid: number;
  /** Start time of `pid` (see `ProcessIdentity.startTime`): a reused pid is never signalled. */
  readonly startTime: string;
  readonly background: boolean;
  readonly command: string;
}

/** The live watching session of this checkout, or null (read-only). */
export async function readWatcher(checkout: Checkout): Promise<WatcherState | null> {
  const holder = await readLiveHolder(checkout.watcherPath);
  return holder ? toState(holder) : null;
}

function toState(holder: LockRecord): WatcherState {
  return {
    pid: holder.pid,
    startTime: holder.startTime,
    background: holder.command === BACKGROUND_WATCHER_COMMAND,
    command: holder.command,
  };
}

/** One phrase for `pnpm status`: `watching (background, pid N)`, `watching (pid N, pnpm start)`, `not watching`. */
export function describeWatcher(watcher: WatcherState | null): string {
  if (!watcher) return 'not watching (`pnpm start --detach` hot-reloads in the background)';
  return watcher.background
    ? `watching (background, pid ${watcher.pid})`
    : `watching (pid ${watcher.pid}, ${watcher.command})`;
}

// The launcher every command runs through (the built CLI on plain node).
const LAUNCHER = fileURLToPath(new URL('../../bin/nexu-dev.mjs', import.meta.url));

/**
 * Starts the background watch session of `pnpm start --detach`: `pnpm start` itself (it attaches
 * to the services just started), detached from the terminal, output appended to `watch.log`, and
 * waits until it has taken the watching over (its pid in `.tmp/dev/watcher`). Throws with the end
 * of its output when it exits first or takes too long.
 */
export async function spawnBackgroundWatch(options: {
  readonly checkout: Checkout;
  /** `pnpm start` arguments: the services and the backend. */
  readonly args: readonly string[];
  readonly timeoutMs?: number;
}): Promise<WatcherState> {
  const { checkout } = options;
  const log = watchLogPath(checkout);
  mkdirSync(checkout.logsDir, { recursive: true });
  const fd = openSync(log, 'a', 0o600);
  let pid: number | undefined;
  try {
    const child = spawn(process.execPath, [LAUNCHER, 'start', ...options.args], {
      cwd: checkout.root,
      env: { ...process.env, [BACKGROUND_WATCH_ENV]: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  if (pid === undefined) throw new Error('the background watch session could not be started');
  const child = pid;
  const taken = await waitFor(
    async () => {
      const watcher = await readWatcher(checkout);
      if (watcher?.pid === child) return watcher;
      if (!isProcessAlive(child)) return null;
      return undefined;
    },
    { timeoutMs: options.timeoutMs ?? 60_000, maxIntervalMs: 100 },
  );
  if (taken.ok && taken.value) return taken.value;
  if (isProcessAlive(child)) await terminateGroup(child);
  const tail = ((await readLogTail(log, 15).catch(() => undefined)) ?? []).map((line) => `  ${line}`);
  throw new Error([`the background watch session did not start watching (see ${log}):`, ...tail].join('\n'));
}

/**
 * After a stop or reset: waits until `watcher` (read before it) has ended, as it does by itself once
 * the ledger is gone, and ends a background one that is still there after `graceMs`. A foreground
 * session belongs to its terminal and is only waited for. True when none is left.
 */
export async function endWatcher(watcher: WatcherState | null, graceMs = 10_000): Promise<boolean> {
  if (!watcher) return true;
  const gone = async () => !isProcessAlive(watcher.pid);
  if ((await waitFor(gone, { timeoutMs: graceMs, maxIntervalMs: 100 })).ok) return true;
  if (!watcher.background) return false;
  const identity = await processIdentity(watcher.pid);
  if (identity === null) return true;
  if (watcher.startTime !== '' && identity.startTime !== watcher.startTime) return true;
  return terminateGroup(watcher.pid);
}
