import { type FSWatcher, watch } from 'node:fs';
import type { WaitResult } from '@nexu/service-kit';
import { LOCAL_EVENT_POLL } from './local-event-poll.js';

/**
 * `waitFor` for an event another local process reports by writing a file in `folder` (the process
 * keeper's state): checks again as soon as anything in the folder changes (`fs.watch`), and polls
 * meanwhile (LOCAL_EVENT_POLL) for what events miss or where the folder cannot be watched. A poll
 * alone, backing off, saw a keeper's report up to a poll interval late (10-25 ms on every hot reload).
 */
export async function waitForInFolder<T>(
  folder: string,
  check: () => Promise<T | undefined | false>,
  options: { readonly timeoutMs: number },
): Promise<WaitResult<T>> {
  let changed = false;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(folder, () => {
      changed = true;
      wake?.();
    });
    watcher.on('error', () => undefined);
  } catch {
    // no folder (a deleted checkout's) or no watching here: the poll alone
  }
  const deadline = Date.now() + options.timeoutMs;
  let interval: number = LOCAL_EVENT_POLL.intervalMs;
  try {
    for (;;) {
      changed = false;
      const value = await check();
      if (value !== undefined && value !== false) return { ok: true, value };
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, reason: 'timeout' };
      if (changed) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(interval, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      interval = Math.min(interval * 2, LOCAL_EVENT_POLL.maxIntervalMs);
    }
  } finally {
    watcher?.close();
  }
}
