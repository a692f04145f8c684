/** Options of `createRebuildQueue`. */
export interface RebuildQueueOptions {
  /** The rebuild (and what follows it, e.g. the restart); never runs twice at once. */
  run: () => Promise<void>;
  /**
   * Quiet time after the last event before a rebuild starts (default 5 ms): enough for the events
   * of one save (an editor's write and rename come within a millisecond or two) and of a "save
   * all"; a longer burst costs a second rebuild at most (events during a run queue exactly one
   * more). Every millisecond of it is added to every reload.
   */
  debounceMs?: number;
  /** Called when `run` throws; the queue keeps going. */
  onError?: (error: unknown) => void;
}

/** Counts for tests and the "50 saves -> N rebuilds" report. */
export interface RebuildQueueStats {
  readonly events: number;
  readonly builds: number;
}

/** Debounced, coalescing rebuild trigger of one service. */
export interface RebuildQueue {
  /** Records a source change; a rebuild follows after the burst settles. */
  notify(): void;
  /** Events seen and rebuilds started so far. */
  stats(): RebuildQueueStats;
  /** Resolves once no rebuild is running, queued or waiting for its debounce. */
  idle(): Promise<void>;
  /** Drops what is queued, waits for a running rebuild; idempotent, returns the same promise. */
  close(): Promise<void>;
}

/**
 * Creates the queue: at most one rebuild running and at most one queued; events during a rebuild
 * only mark it dirty, so a burst of saves costs a handful of rebuilds. The last save always wins:
 * any event after a rebuild started its run guarantees another rebuild after it, on final content.
 */
export function createRebuildQueue(options: RebuildQueueOptions): RebuildQueue {
  const debounceMs = options.debounceMs ?? 5;
  const onError = options.onError ?? (() => {});
  let events = 0;
  let builds = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let dirty = false;
  let closed: Promise<void> | undefined;
  let idleWaiters: Array<() => void> = [];

  const settle = () => {
    if (timer || running || dirty) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(start, debounceMs);
  };

  const start = () => {
    timer = undefined;
    builds += 1;
    running = (async () => {
      try {
        await options.run();
      } catch (error) {
        onError(error);
      }
    })().then(() => {
      running = undefined;
      if (dirty && !closed) {
        dirty = false;
        schedule();
      }
      dirty = false;
      settle();
    });
  };

  return {
    notify() {
      events += 1;
      if (closed) return;
      if (running) dirty = true;
      else schedule();
    },
    stats: () => ({ events, builds }),
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
    close() {
      closed ??= (async () => {
        clearTimeout(timer);
        timer = undefined;
        dirty = false;
        await running;
        settle();
      })();
      return closed;
    },
  };
}
