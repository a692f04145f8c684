import type { Checkout } from '../checkout/checkout.js';
import { takeRecordLock } from '../checkout/lock.js';
import { replaceRunningService } from '../plan/replace-running-service.js';
import { readLedger } from '../ports/ledger.js';
import { SERVICES, type ServiceName, type ServiceSpec } from '../services/manifest.js';
import { createFollowedTarget, type FollowedTarget, type ReloadTarget } from './followed-target.js';
import { watchEnvFiles } from './watch-env-files.js';
import { startWatchSession, type WatchSession } from './watch-session.js';
import { startWatchStatus } from './watch-status.js';

export interface WatchOptions {
  readonly checkout: Checkout;
  /** What `startServices` decided: the supervisor and the unit of every service it runs. */
  readonly report: ReloadTarget;
  /** Where reload lines go, tagged with their service. */
  readonly log: (service: ServiceName, line: string) => void;
  readonly services?: readonly ServiceSpec[];
  /** Type-check each rebuilt service beside the fast build (default true). */
  readonly typecheck?: boolean;
  /**
   * The units to reload, followed when another `pnpm start` replaces them (default: the report's,
   * never followed).
   */
  readonly target?: FollowedTarget;
  /**
   * Whether the checkout still runs its services: false once `pnpm stop` or `pnpm reset-state`
   * ran elsewhere. Asked before every rebuild (nothing is rebuilt into a stopped checkout) and again
   * under the lock before every restart (nothing is restarted or reinstalled into one).
   */
  readonly stillRunning?: () => Promise<boolean>;
}

/**
 * The hot-reload half of `pnpm start`: rebuild what changed and restart only that service through
 * the supervisor start chose (`launchctl kickstart -k`, `systemctl --user restart`, keeper
 * restart), the same way start replaces a service, then wait until it answers `/health` as ours.
 * A restart holds the checkout's lock (briefly: other commands wait for it), so it never races a
 * `pnpm stop` or `pnpm start` from another terminal; what those left is followed or ends it.
 */
export async function watchServices(options: WatchOptions): Promise<WatchSession> {
  const { checkout, report } = options;
  const services = (options.services ?? SERVICES).filter((spec) => report.units[spec.name] !== undefined);
  const target = options.target ?? createFollowedTarget(checkout, report, () => {});
  const stillRunning = options.stillRunning;
  // What open dashboards show: build errors, reloads, crashes, the services' facts.
  const status = await startWatchStatus({ checkout, target, services, log: options.log });
  const session = await startWatchSession({
    checkout,
    services,
    ...(options.typecheck === undefined ? {} : { typecheck: options.typecheck }),
    ...(stillRunning ? { canReload: stillRunning } : {}),
    log: options.log,
    onEvent: status.record,
    async restartService(name) {
      const spec = services.find((s) => s.name === name);
      if (!spec) throw new Error(`${name} is not a service of this session`);
      if (stillRunning && !(await stillRunning())) return 'cancelled';
      // createDir false: a reset meanwhile removed the state folder, which must not come back.
      const taken = await takeRecordLock(checkout.lockPath, {
        command: 'pnpm start (hot reload)',
        brief: true,
        waitMs: 60_000,
        createDir: false,
      }).catch(() => null);
      if (taken === null) return 'cancelled';
      if (!taken.ok) {
        throw new Error(
          `another nexu dev command (pid ${taken.holder.pid}, \`${taken.holder.command}\`) kept this checkout busy for a minute: not restarted; save again to retry`,
        );
      }
      try {
        // Whoever held the lock before may have stopped the services or put others in place.
        const { ledger } = await readLedger(checkout);
        // Stopped meanwhile (`pnpm stop`, or `pnpm stop <this service>`): nothing to restart.
        if (!ledger?.services[name]) return 'cancelled';
        target.follow(ledger);
        const { supervisor, units } = target.current();
        const unit = units[name];
        if (!unit) throw new Error(`${name} is not a service of this session`);
        await replaceRunningService({ checkout, supervisor, spec, unit, cause: 'rebuilt', install: false });
        return 'restarted';
      } finally {
        await taken.lock.release();
      }
    },
  }).catch(async (error: unknown) => {
    await status.close();
    throw error;
  });
  // A changed .env file is unit drift: the services it concerns are replaced.
  const envFiles = watchEnvFiles({
    checkout,
    services,
    target,
    log: options.log,
    ...(stillRunning ? { stillRunning } : {}),
  });
  let closed: Promise<void> | undefined;
  return {
    ...session,
    idle: () => Promise.all([session.idle(), envFiles.idle()]).then(() => undefined),
    close() {
      closed ??= Promise.all([session.close(), envFiles.close()]).then(() => status.close());
      return closed;
    },
  };
}
