import type { Checkout } from '../checkout/checkout.js';
import { probeHealth } from '../health/probe-health.js';
import { waitForServiceReady } from '../health/wait-for-service-ready.js';
import { SERVICES, type ServiceName, type ServicePorts, type ServiceSpec } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import { selectSupervisor } from '../supervisor/select-supervisor.js';
import { startWatchSession, type WatchSession } from '../watch/watch-session.js';
import { serviceStartError } from './service-start-error.js';
import type { StartReport } from './start.js';

export interface WatchOptions {
  readonly checkout: Checkout;
  /** What `startServices` reported: backend and the ports every service runs on. */
  readonly report: StartReport;
  /** Where reload lines go, tagged with their service. */
  readonly log: (service: ServiceName, line: string) => void;
  readonly services?: readonly ServiceSpec[];
  /** Run `tsc --watch` beside the fast build (default true). */
  readonly typecheck?: boolean;
}

/**
 * The hot-reload half of `pnpm start`: rebuild what changed and restart only that service through
 * the backend that runs it (`launchctl kickstart -k`, `systemctl --user restart`, keeper restart),
 * then wait until it answers `/health` as ours again.
 */
export async function watchServices(options: WatchOptions): Promise<WatchSession> {
  const { checkout, report } = options;
  const services = options.services ?? SERVICES;
  const supervisor = await selectSupervisor({ backend: report.backend, checkout });
  const ports = Object.fromEntries(report.services.map((s) => [s.name, s.port])) as unknown as ServicePorts;
  const unitOf = (name: ServiceName) => {
    const spec = services.find((s) => s.name === name);
    if (!spec) throw new Error(`${name} is not a service of this session`);
    return { spec, unit: resolveUnitSpec(spec, checkout, ports) };
  };

  // The pid each restart replaces: until the new process answers, the old one's answers do not count.
  const replaced = new Map<ServiceName, number>();
  return startWatchSession({
    checkout,
    services,
    ...(options.typecheck === undefined ? {} : { typecheck: options.typecheck }),
    log: options.log,
    async restartService(name) {
      const { spec, unit } = unitOf(name);
      const before = await probeHealth(unit.port, spec.healthPath);
      if (before.ok) replaced.set(name, before.answer.pid);
      await supervisor.restart(unit);
    },
    async waitHealthy(name) {
      const { spec, unit } = unitOf(name);
      const expected = { instance: checkout.id, replacing: replaced.get(name) ?? null };
      // Gives up early when the new build crash-loops or exits 78 instead of waiting out 20 s.
      const ready = await waitForServiceReady(supervisor, unit, expected, {
        timeoutMs: 20_000,
        path: spec.healthPath,
      });
      if (!ready.ok) {
        const status = ready.status ?? (await supervisor.status(unit).catch(() => undefined));
        throw await serviceStartError(name, `no healthy answer after the restart: ${ready.reason}`, {
          ...(status ? { status } : {}),
          logPath: unit.logPath,
        });
      }
    },
  });
}
