import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Stops a directory watch; idempotent. */
export interface DirectoryWatch {
  close(): void;
}

interface Armed {
  readonly watcher: FSWatcher;
  /** Inode the watch is bound to; a rebuild that replaces the directory changes it. */
  readonly ino: number;
}

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function arm(
  path: string,
  options: { recursive: boolean },
  listener: (name: string | null) => void,
): Armed | undefined {
  const ino = inodeOf(path);
  if (ino === undefined) return undefined;
  try {
    const watcher = watch(path, options, (_event, name) => listener(name));
    watcher.on('error', () => watcher.close());
    return { watcher, ino };
  } catch {
    return undefined;
  }
}

/**
 * Calls `onChange` (debounced by `debounceMs`) when anything under `dir` changes. A rebuild may
 * delete and recreate `dir` (or its parent), which silently kills a watch on the old inode, so the
 * parent is watched too and both watches are re-armed when their directory's inode changes.
 */
export function watchDirectory(dir: string, onChange: () => void, debounceMs = 50): DirectoryWatch {
  let inner: Armed | undefined;
  let outer: Armed | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!closed) onChange();
    }, debounceMs);
  };
  /** Re-arms whichever watch no longer matches its directory; true when `dir` was replaced. */
  const rearm = (): boolean => {
    let replaced = false;
    if (!inner || inodeOf(dir) !== inner.ino) {
      inner?.watcher.close();
      inner = arm(dir, { recursive: true }, changed);
      replaced = inner !== undefined;
    }
    const parent = dirname(dir);
    if (!outer || inodeOf(parent) !== outer.ino) {
      outer?.watcher.close();
      outer = arm(parent, { recursive: false }, (name) => {
        if (name === basename(dir) && rearm()) changed();
      });
    }
    return replaced;
  };

  rearm();
  // Catches replacements the parent watch cannot see (e.g. the parent itself was replaced).
  const check = setInterval(() => {
    if (rearm()) changed();
  }, 1000);
  check.unref();

  return {
    close() {
      closed = true;
      clearInterval(check);
      clearTimeout(timer);
      inner?.watcher.close();
      outer?.watcher.close();
    },
  };
}
