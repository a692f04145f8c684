import { findPortOwner } from '@nexu/dev';
import { waitFor } from '@nexu/service-kit';
import { isPidLive } from './process-tree.js';

/** What `cleanup()` found after running every closer. */
export interface CleanupReport {
  /** Closers that threw (name: message). */
  readonly errors: readonly string[];
  /** Tracked pids still alive after the closers and the grace. */
  readonly livePids: readonly number[];
  /** Tracked ports still listened on after the closers and the grace. */
  readonly busyPorts: readonly number[];
}

/** Everything a bench run started, so that it is all stopped on success, failure, Ctrl-C or SIGTERM. */
export interface CleanupRegistry {
  /** Registers a closer (run last-registered first); the returned function unregisters it. */
  add(name: string, close: () => Promise<void>): () => void;
  /** Pids that must be gone and ports that must be free once everything is cleaned up. */
  track(what: { pids?: readonly number[]; ports?: readonly number[] }): void;
  /** Runs every registered closer, then verifies the tracked pids and ports; idempotent. */
  cleanup(): Promise<CleanupReport>;
  /** On SIGINT/SIGTERM: clean up, then exit 130/143. Returns the remover of the listeners. */
  handleSignals(log: (line: string) => void): () => void;
}

/**
 * Creates an empty registry. `graceMs`: how long `cleanup()` waits for the tracked pids to exit and
 * ports to be free before it reports them left behind (default 5 s).
 */
export function createCleanupRegistry(options: { readonly graceMs?: number } = {}): CleanupRegistry {
  const closers = new Map<number, { name: string; close: () => Promise<void> }>();
  const pids = new Set<number>();
  const ports = new Set<number>();
  let nextId = 0;
  let done: Promise<CleanupReport> | undefined;

  const runClosers = async (): Promise<string[]> => {
    const errors: string[] = [];
    // A closer may register another (rare); loop until none is left.
    while (closers.size > 0) {
      const [id, entry] = [...closers].at(-1) as [number, { name: string; close: () => Promise<void> }];
      closers.delete(id);
      try {
        await entry.close();
      } catch (error) {
        errors.push(`${entry.name}: ${(error as Error).message ?? error}`);
      }
    }
    return errors;
  };

  const registry: CleanupRegistry = {
    add(name, close) {
      const id = nextId++;
      closers.set(id, { name, close });
      return () => {
        closers.delete(id);
      };
    },
    track(what) {
      for (const pid of what.pids ?? []) pids.add(pid);
      for (const port of what.ports ?? []) ports.add(port);
    },
    cleanup() {
      done ??= (async () => {
        const errors = await runClosers();
        const isClean = async () => {
          const live = (
            await Promise.all([...pids].map(async (p) => ((await isPidLive(p)) ? p : null)))
          ).filter((p): p is number => p !== null);
          // Left behind = still listened on. A port that only cannot be bound is some process's
          // outgoing connection (its ephemeral local port happens to be one the bench used).
          const busy = (
            await Promise.all(
              [...ports].map(async (p) => {
                const owner = await findPortOwner(p);
                return owner.status !== 'free' && owner.listeners.length > 0 ? p : null;
              }),
            )
          ).filter((p): p is number => p !== null);
          return { live, busy };
        };
        const settled = await waitFor(
          async () => {
            const state = await isClean();
            return state.live.length === 0 && state.busy.length === 0 ? state : false;
          },
          { timeoutMs: options.graceMs ?? 5_000 },
        );
        const final = settled.ok ? settled.value : await isClean();
        return { errors, livePids: final.live, busyPorts: final.busy };
      })();
      return done;
    },
    handleSignals(log) {
      const onSignal = (signal: NodeJS.Signals) => {
        remove();
        log(`${signal}: stopping everything the bench started…`);
        void registry.cleanup().then((report) => {
          if (report.livePids.length || report.busyPorts.length)
            log(
              `left behind: pids ${report.livePids.join(' ') || '-'}, ports ${report.busyPorts.join(' ') || '-'}`,
            );
          else log('cleaned up: every process the bench started is gone and every port it used is free');
          process.exit(signal === 'SIGINT' ? 130 : 143);
        });
      };
      const remove = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return remove;
    },
  };
  return registry;
}
