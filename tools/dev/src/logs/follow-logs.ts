import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';
import { TrackedLogFile } from './tracked-log-file.js';

/** One log file and the service it belongs to. */
export interface LogSource {
  readonly service: string;
  readonly path: string;
}

/** One whole line of one service's log. */
export interface LogLine {
  readonly service: string;
  readonly line: string;
}

export interface FollowLogsOptions {
  readonly sources: readonly LogSource[];
  /** Whole lines of each existing file to emit first (0: only what is appended from now on). */
  readonly lines: number;
  /** Receives every whole line, in arrival order across files. */
  readonly onLine: (line: LogLine) => void;
  /** Called when reading a file fails (EACCES, EIO); following goes on. */
  readonly onError?: (error: Error, source: LogSource) => void;
  /**
   * Fallback poll interval in ms (default 250) while a log folder cannot be watched yet; four
   * times as long once every folder is watched (the poll then only catches what file-system
   * events miss): an idle follower costs next to nothing.
   */
  readonly pollIntervalMs?: number;
}

/** A running follower. */
export interface LogFollower {
  /** Resolves once the first lines of every file were emitted and watching has begun. */
  readonly ready: Promise<void>;
  /** Resolves after every file has been checked once more, starting after this call. */
  nextPoll(): Promise<void>;
  /** Stops watching and polling, closes every file. Idempotent: returns the same promise. */
  close(): Promise<void>;
}

/**
 * Follows several log files like `tail -F`, emitting whole lines tagged with their service: first
 * the last `lines` of each, then what is appended. Survives restarts (new writers append),
 * truncation, replacement by rename, and files that appear later. `fs.watch` on the folders makes
 * it prompt; a light poll makes it correct where events are missed (network and container mounts,
 * a folder created after start).
 */
export function followLogs(options: FollowLogsOptions): LogFollower {
  const interval = options.pollIntervalMs ?? 250;
  const files = options.sources.map(
    (source) => new TrackedLogFile(source.path, (line) => options.onLine({ service: source.service, line })),
  );
  const watchers = new Map<string, FSWatcher | undefined>(
    options.sources.map((s) => [dirname(s.path), undefined]),
  );
  const lastError = new Map<number, string>();
  let started = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let again = false;
  let waiting: Array<() => void> = [];

  const report = (index: number, error: Error) => {
    // Report a failing file once per distinct message, not every 250 ms.
    if (lastError.get(index) === error.message) return;
    lastError.set(index, error.message);
    options.onError?.(error, options.sources[index]!);
  };

  const watchFolders = () => {
    for (const [folder, watcher] of watchers) {
      if (watcher) continue;
      try {
        const created = watch(folder, { persistent: false }, () => requestPoll());
        created.on('error', () => {
          created.close();
          if (!closed) watchers.set(folder, undefined);
        });
        watchers.set(folder, created);
      } catch {
        // Folder missing (logs not written yet): the poll covers it and retries the watch.
      }
    }
  };

  const pollOnce = async () => {
    const done = waiting;
    waiting = [];
    for (const [index, file] of files.entries()) {
      if (closed) break;
      await file.check().then(
        () => lastError.delete(index),
        (error: Error) => report(index, error),
      );
    }
    if (!closed) watchFolders();
    for (const resolve of done) resolve();
  };

  function requestPoll(): void {
    // Before the first lines are out, a poll would race `start()`; the first poll runs after it.
    if (closed || !started) return;
    if (polling) {
      again = true;
      return;
    }
    clearTimeout(timer);
    polling = (async () => {
      do {
        again = false;
        await pollOnce();
      } while (again && !closed);
    })().finally(() => {
      polling = undefined;
      const watchingAll = [...watchers.values()].every((watcher) => watcher !== undefined);
      if (!closed) timer = setTimeout(requestPoll, watchingAll ? interval * 4 : interval);
    });
  }

  const ready = (async () => {
    for (const [index, file] of files.entries()) {
      await file.start(options.lines).catch((error: Error) => report(index, error));
    }
    started = true;
    watchFolders();
    requestPoll();
  })();

  let closing: Promise<void> | undefined;
  return {
    ready,
    nextPoll() {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        requestPoll();
      });
    },
    close() {
      closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        for (const watcher of watchers.values()) watcher?.close();
        watchers.clear();
        await ready.catch(() => undefined);
        await polling;
        await Promise.all(files.map((file) => file.close()));
        for (const resolve of waiting) resolve();
        waiting = [];
      })();
      return closing;
    },
  };
}
