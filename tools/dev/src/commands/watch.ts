import type { Checkout } from '../checkout/checkout.js';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import { executeStep } from '../plan/execute-step.js';
import { SERVICES, type ServiceName, type ServiceSpec } from '../services/manifest.js';
import { startWatchSession, type WatchSession } from '../watch/watch-session.js';
import type { StartReport } from './start.js';
import { startWatchStatus } from './watch-status.js';

export interface WatchOptions {
  readonly checkout: Checkout;
  /** What `startServices` decided: the supervisor and the unit of every service it runs. */
  readonly report: StartReport;
  /** Where reload lines go, tagged with their service. */
  readonly log: (service: ServiceName, line: string) => void;
  readonly services?: readonly ServiceSpec[];
  /** Run `tsc --watch` beside the fast build (default true). */
  readonly typecheck?: boolean;
}

/**
 * The hot-reload half of `pnpm start`: rebuild what changed and restart only that service through
 * the supervisor start chose (`launchctl kickstart -k`, `systemctl --user restart`, keeper
 * restart), the same way start replaces a service, then wait until it answers `/health` as ours.
 */
export async function watchServices(options: WatchOptions): Promise<WatchSession> {
  const { checkout, report } = options;
  const services = (options.services ?? SERVICES).filter((spec) => report.units[spec.name] !== undefined);
  // What open dashboards show: build errors, reloads, crashes, the services' facts.
  const status = await startWatchStatus({ checkout, report, services, log: options.log });
  const session = await startWatchSession({
    checkout,
    services,
    ...(options.typecheck === undefined ? {} : { typecheck: options.typecheck }),
    log: options.log,
    onEvent: status.record,
    async restartService(name) {
      const spec = services.find((s) => s.name === name);
      const unit = report.units[name];
      if (!spec || !unit) throw new Error(`${name} is not a service of this session`);
      // The pid being replaced: until the new process answers, the old one's answers do not count.
      const before = await probeHealth(unit.port, spec.healthPath);
      await executeStep(
        {
          spec,
          action: 'replace',
          reason: 'rebuilt',
          cause: 'rebuilt',
          unit,
          install: false,
          running: before.ok ? before.answer.pid : null,
        },
        {
          checkout,
          supervisor: report.supervisor,
          reporter: createMemoryReporter(),
          readyTimeoutMs: 20_000,
          recovery: 'save-fix',
        },
      );
    },
  }).catch(async (error: unknown) => {
    await status.close();
    throw error;
  });
  let closed: Promise<void> | undefined;
  return {
    ...session,
    close() {
      closed ??= session.close().then(() => status.close());
      return closed;
    },
  };
}
