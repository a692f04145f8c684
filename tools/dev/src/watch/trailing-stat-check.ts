import { statSync } from 'node:fs';

/** Options of `createTrailingStatCheck`. */
export interface TrailingStatCheckOptions {
  /** How long after a reported change the file is looked at again (default 75 ms). */
  delayMs?: number;
  /** Called when the file changed again after it was reported, with no report of that change. */
  onMissed: (path: string) => void;
}

/** Re-checks reported files once the watcher's throttle window has passed. */
export interface TrailingStatCheck {
  /** Records a change the watcher reported; schedules the re-check. */
  seen(path: string): void;
  /** Cancels pending re-checks; idempotent. */
  close(): void;
}

/** Inode, size and nanosecond times: any save changes at least one of them. */
function stampOf(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/**
 * chokidar drops a `change` of a path that comes within 50 ms of the last one it reported for that
 * path (`_throttle('change', path, 50)` in its `_emit`) and never reports it later. A save right
 * after another (an editor's format-on-save, a fix saved just after a failed build finished) would
 * go unseen and the last save would not win. So each reported file is stat'ed again once that
 * window has passed, and reported again if it changed since; later saves chokidar reports itself.
 */
export function createTrailingStatCheck(options: TrailingStatCheckOptions): TrailingStatCheck {
  const delayMs = options.delayMs ?? 75;
  const pending = new Map<string, NodeJS.Timeout>();
  return {
    seen(path) {
      const stamp = stampOf(path);
      clearTimeout(pending.get(path));
      pending.set(
        path,
        setTimeout(() => {
          pending.delete(path);
          const now = stampOf(path);
          // Gone: chokidar reports the unlink itself.
          if (now !== undefined && now !== stamp) options.onMissed(path);
        }, delayMs),
      );
    },
    close() {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}
