import type { Checkout } from '../checkout/checkout.js';
import { answersAsOurs, serviceLabel } from '../checkout/service-identity.js';
import { probeHealth } from '../health/probe-health.js';
import { ledgerFor, type PreviousLocation, readLedger } from '../ports/ledger.js';
import { expectedPort } from '../ports/resolve-port.js';
import { SERVICES, type ServiceName, type ServiceSpec, serviceUrl } from '../services/manifest.js';
import { selectSupervisor } from '../supervisor/select-supervisor.js';
import type { BackendName, ServiceState, UnitRef } from '../supervisor/supervisor.js';
import { findInstalledBackend } from './checkout-units.js';
import { availableSupervisors } from './teardown.js';

export interface ServiceStatusRow {
  readonly name: ServiceName;
  readonly label: string;
  readonly state: ServiceState;
  readonly pid: number | null;
  readonly port: number;
  readonly url: string;
  readonly healthy: boolean;
  readonly restarts: number;
  /** When the running process started (from its own `/health`), else null. */
  readonly startedAt: string | null;
  /** Why a service is crashed/stopped, when the supervisor knows; else null. */
  readonly reason: string | null;
}

/** The stable shape `pnpm status --json` prints. */
export interface StatusReport {
  readonly checkout: { readonly id: string; readonly root: string; readonly nexuHome: string };
  readonly backend: BackendName;
  readonly services: readonly ServiceStatusRow[];
}

/**
 * Reads the state of every service of this checkout from its supervisor (the ledger's backend
 * when recorded, else the backend holding units of this checkout's id, else the auto-selected one) and probes each running service's health. A checkout
 * moved here shows the ports it will take back, and `previous` names where it was.
 */
export async function collectStatus(options: {
  checkout: Checkout;
  backend?: string;
  services?: readonly ServiceSpec[];
}): Promise<{ report: StatusReport; problem?: string; previous?: PreviousLocation }> {
  const { checkout } = options;
  const { ledger, problem, previous } = await readLedger(checkout);
  const recorded = ledger ?? previous?.ledger;
  // No ledger (`.tmp/dev` deleted): the backend that holds units of this checkout's id, not the
  // platform's default, and the ports those units were rendered with.
  const found =
    options.backend === undefined && !recorded
      ? await findInstalledBackend(await availableSupervisors(checkout), checkout.id)
      : null;
  const supervisor = await selectSupervisor({
    backend: options.backend ?? recorded?.backend ?? found?.backend,
    checkout,
  });
  const unitPort = (name: ServiceName) => found?.units.find((unit: UnitRef) => unit.service === name)?.port;
  const own = ledgerFor(checkout, supervisor.backend, { ledger, previous });
  const services = await Promise.all(
    (options.services ?? SERVICES).map(async (spec): Promise<ServiceStatusRow> => {
      const label = serviceLabel(spec.name, checkout.id);
      const port = unitPort(spec.name) ?? expectedPort(spec, checkout, own);
      const status = await supervisor.status({ label, service: spec.name, checkoutId: checkout.id, port });
      const health = status.pid ? await probeHealth(port, spec.healthPath) : undefined;
      const healthy = answersAsOurs(health, { instance: checkout.id, pid: status.pid });
      return {
        name: spec.name,
        label,
        state: status.state,
        pid: status.pid,
        port,
        url: serviceUrl(port),
        healthy,
        restarts: status.restarts,
        startedAt: healthy && health?.ok ? health.answer.startedAt : null,
        reason: status.reason ?? null,
      };
    }),
  );
  return {
    report: {
      checkout: { id: checkout.id, root: checkout.root, nexuHome: checkout.nexuHome },
      backend: supervisor.backend,
      services,
    },
    ...(problem ? { problem } : {}),
    ...(previous ? { previous } : {}),
  };
}

/**
 * Exit code of `pnpm status`: for a program reading it (output not a terminal), 0 when every
 * service runs and is healthy, else 1. On a terminal a person reads the table, whose state and
 * reasons say it all: 0, so that pnpm's own "Command failed" banner is not the last line they read.
 */
export function statusExitCode(report: StatusReport, output: { terminal: boolean }): number {
  if (output.terminal) return 0;
  return report.services.every((s) => s.state === 'running' && s.healthy) ? 0 : 1;
}
