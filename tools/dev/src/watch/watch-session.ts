import type { Checkout } from '../checkout/checkout.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';
import { createRebuildQueue, type RebuildQueue, type RebuildQueueStats } from './rebuild-queue.js';
import { createReloadUnits, type ReloadHooks, type ReloadUnit } from './reload-units.js';
import { startSourceWatcher } from './source-watcher.js';
import { createTypecheck } from './typecheck.js';
import { resolveWatchTargets } from './watch-targets.js';

/** Options of `startWatchSession`. */
export interface WatchSessionOptions extends ReloadHooks {
  checkout: Pick<Checkout, 'root' | 'stateDir'>;
  /** Services to keep current (already running and healthy). */
  services: readonly Pick<ServiceSpec, 'name' | 'dir' | 'watchPaths'>[];
  /** Quiet time after a burst of saves before rebuilding (default: the rebuild queue's, 5 ms). */
  debounceMs?: number;
  /** Type-check a changed service beside the fast build (default true). */
  typecheck?: boolean;
  /** Asked before every rebuild: false skips it (the checkout was stopped; the session is ending). */
  canReload?: () => Promise<boolean>;
}

/** A running watch session. */
export interface WatchSession {
  /** Source events seen and rebuilds run, summed over the service's units. */
  stats(service: ServiceName): RebuildQueueStats;
  /**
   * The parts whose build tool is loaded, as their lines name them (`controller`, `web server`,
   * `web client`): each Node part's esbuild context from the warm-up on; Vite only once a web
   * client file changed.
   */
  loadedBuilders(): string[];
  /** Resolves once no rebuild is running, queued or debouncing. */
  idle(): Promise<void>;
  /** Stops watchers, waits for a running rebuild, kills tsc; idempotent, returns the same promise. */
  close(): Promise<void>;
}

/**
 * Watches the services' sources and keeps them current: debounce, rebuild only the unit that
 * changed, restart only that service on a successful build (the old process keeps serving on a
 * failed one), web client changes rebuild the bundle without a restart. Resolves once watching.
 * Signal handling (Ctrl-C) is the caller's: it calls `close()`.
 */
export async function startWatchSession(options: WatchSessionOptions): Promise<WatchSession> {
  const { checkout, log } = options;
  const units: Array<{ unit: ReloadUnit; queue: RebuildQueue }> = options.services.flatMap((spec) =>
    createReloadUnits(spec, checkout, options).map((unit) => ({
      unit,
      queue: createRebuildQueue({
        run: async () => {
          if ((await options.canReload?.()) !== false) await unit.reload();
        },
        ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
        onError: (error) =>
          log(spec.name, `Unable to rebuild ${spec.name}: ${(error as Error).message ?? error}`),
      }),
    })),
  );
  // A service's type check waits for its reload: the restart is what the user waits for.
  const reloaded = (service: ServiceName) =>
    Promise.all(units.filter(({ unit }) => unit.service === service).map(({ queue }) => queue.idle())).then(
      () => undefined,
    );
  const typecheck =
    options.typecheck === false
      ? undefined
      : createTypecheck({
          checkout,
          services: options.services,
          log,
          after: reloaded,
          buildErrors: (service) =>
            units.flatMap(({ unit }) => (unit.service === service ? unit.errors() : [])),
        });
  const watcher = await startSourceWatcher({
    root: checkout.root,
    targets: resolveWatchTargets(options.services, checkout),
    onChange(service, path) {
      typecheck?.check(service);
      for (const { unit, queue } of units) if (unit.service === service && unit.matches(path)) queue.notify();
    },
  });
  // Not awaited: a save during the warm-up simply queues behind it on the builder. A web client
  // unit loads nothing here (see createWebClientUnit).
  for (const { unit } of units) void unit.warmUp();

  let closed: Promise<void> | undefined;
  return {
    stats(service) {
      return units
        .filter(({ unit }) => unit.service === service)
        .reduce(
          (sum, { queue }) => {
            const s = queue.stats();
            return { events: sum.events + s.events, builds: sum.builds + s.builds };
          },
          { events: 0, builds: 0 },
        );
    },
    loadedBuilders: () => units.filter(({ unit }) => unit.loaded()).map(({ unit }) => unit.what),
    idle: () => Promise.all(units.map(({ queue }) => queue.idle())).then(() => undefined),
    close() {
      closed ??= (async () => {
        await watcher.close();
        await Promise.all(units.map(({ queue }) => queue.close()));
        await Promise.all([...units.map(({ unit }) => unit.dispose()), typecheck?.close()]);
      })();
      return closed;
    },
  };
}
