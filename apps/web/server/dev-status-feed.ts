import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { isProcessAliveSync, processStartTimeSync, readJsonFile } from '@nexu/service-kit';
import {
  type DevStatusFile,
  type DevStatusView,
  NOT_WATCHING,
  parseDevStatusFile,
  viewOf,
} from '@nexu/service-kit/dev-status';

/** Options of `createDevStatusFeed`. */
export interface DevStatusFeedOptions {
  /** The status file the watch session writes (`NEXU_DEV_STATUS_FILE`). */
  readonly path: string;
  /** Called with the new view whenever what pages should show changed. */
  readonly onChange: (view: DevStatusView) => void;
  /** Where a refused file is reported (once per reason). */
  readonly log: (line: string) => void;
  /**
   * How often the watcher's pid is checked and the file re-checked in case a change event was
   * missed (default 2000 ms): a `kill -0` and a `stat`, nothing more.
   */
  readonly checkIntervalMs?: number;
}

/** The watch session's status as pages see it, kept current. */
export interface DevStatusFeed {
  current(): DevStatusView;
  /** Resolves once no read is running (for tests). */
  settled(): Promise<void>;
  close(): void;
}

type Watcher = DevStatusFile['watcher'];

/**
 * Follows the status file: re-reads it when its folder reports a change (the session replaces it by
 * rename), and reads a watcher that is gone as "not watching", so a killed `pnpm start` does not
 * leave pages showing a session that no longer runs. The watcher's start time is compared once per
 * watcher (a reused pid has another start time); after that a `kill -0` per check tells it is alive.
 */
export function createDevStatusFeed(options: DevStatusFeedOptions): DevStatusFeed {
  const { path } = options;
  let view: DevStatusView = NOT_WATCHING;
  let sent = JSON.stringify(view);
  let file: DevStatusFile | undefined;
  let verified: { readonly watcher: Watcher; readonly alive: boolean } | undefined;
  let lastProblem: string | undefined;
  let lastSeen: string | undefined;
  let loading: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let dirWatch: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const publish = (next: DevStatusView) => {
    view = next;
    const text = JSON.stringify(next);
    if (text === sent || closed) return;
    sent = text;
    options.onChange(next);
  };

  const problem = (reason: string | undefined) => {
    if (reason !== undefined && reason !== lastProblem)
      options.log(`web: dev status file ${path}: ${reason}`);
    lastProblem = reason;
  };

  const sameWatcher = (a: Watcher, b: Watcher) =>
    a.pid === b.pid && a.startTime === b.startTime && a.startedAt === b.startedAt;

  const watcherAlive = async (watcher: Watcher): Promise<boolean> => {
    if (!verified || !sameWatcher(verified.watcher, watcher)) {
      const startTime = processStartTimeSync(watcher.pid);
      verified = { watcher, alive: startTime !== null && startTime === watcher.startTime };
    }
    return verified.alive && isProcessAliveSync(watcher.pid);
  };

  const readOnce = async () => {
    const read = await readJsonFile(path).catch((error: Error) => ({
      kind: 'corrupt' as const,
      reason: error.message,
    }));
    if (read.kind !== 'ok') {
      file = undefined;
      // Missing: no session has run, or it ended (it removes the file). Corrupt: a torn copy
      // cannot happen (atomic rename), so it is reported.
      problem(read.kind === 'corrupt' ? `unreadable (${read.reason})` : undefined);
      return publish(NOT_WATCHING);
    }
    const parsed = parseDevStatusFile(read.value);
    if (!parsed.ok) {
      file = undefined;
      problem(`refused: ${parsed.reason}`);
      return publish(NOT_WATCHING);
    }
    problem(undefined);
    file = parsed.status;
    publish((await watcherAlive(file.watcher)) ? viewOf(file) : NOT_WATCHING);
  };

  const load = () => {
    if (closed) return;
    if (loading) {
      again = true;
      return;
    }
    loading = (async () => {
      do {
        again = false;
        await readOnce();
      } while (again && !closed);
    })().finally(() => {
      loading = undefined;
    });
  };

  const arm = () => {
    dirWatch?.close();
    dirWatch = undefined;
    try {
      dirWatch = watch(dirname(path), { persistent: false }, (_event, name) => {
        if (name !== null && name !== basename(path)) return;
        clearTimeout(debounce);
        debounce = setTimeout(load, 10);
      });
      dirWatch.on('error', () => {
        dirWatch?.close();
        dirWatch = undefined;
      });
    } catch {
      // The state folder does not exist (yet): the periodic check finds the file when it appears.
    }
  };

  const check = async () => {
    if (!dirWatch) arm();
    const now = await stat(path).then(
      (s) => `${s.ino}:${s.mtimeMs}:${s.size}`,
      () => 'missing',
    );
    if (now !== lastSeen) {
      lastSeen = now;
      return load();
    }
    if (file && view.watching && !isProcessAliveSync(file.watcher.pid)) publish(NOT_WATCHING);
  };

  arm();
  load();
  const timer = setInterval(() => void check(), options.checkIntervalMs ?? 2_000);
  timer.unref();

  return {
    current: () => view,
    async settled() {
      while (loading) await loading;
    },
    close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(debounce);
      dirWatch?.close();
    },
  };
}
