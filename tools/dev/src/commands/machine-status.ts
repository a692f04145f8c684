import { answersAsOurs } from '../checkout/service-identity.js';
import { probeHealth } from '../health/probe-health.js';
import {
  isOrphaned,
  listMachineServices,
  type MachinePresence,
  type MachineService,
} from '../machine/machine-services.js';
import { findService, serviceRank, serviceUrl } from '../services/manifest.js';
import type { BackendName, ServiceState } from '../supervisor/supervisor.js';

/** One service of `pnpm status --all`: any checkout's, on any backend. */
export interface MachineStatusRow {
  readonly checkout: {
    readonly id: string;
    readonly root: string | null;
    /** live, deleted, moved; unknown when the unit does not say consistently. */
    readonly presence: MachinePresence;
    readonly orphaned: boolean;
    /** Where a moved checkout went, when its running process tells; else null. */
    readonly movedTo: string | null;
    /** Whether it is the checkout the command runs in. */
    readonly current: boolean;
  };
  readonly backend: BackendName;
  readonly service: string;
  readonly label: string;
  readonly state: ServiceState;
  readonly pid: number | null;
  readonly port: number | null;
  readonly url: string | null;
  /** `/health` answers from the unit's main pid as its checkout's instance. */
  readonly healthy: boolean;
  readonly reason: string | null;
}

/** The stable shape `pnpm status --all --json` prints. */
export interface MachineStatusReport {
  readonly services: readonly MachineStatusRow[];
  /** Backends that could not be asked, and why. */
  readonly problems: readonly string[];
}

async function rowOf(found: MachineService, currentId: string | undefined): Promise<MachineStatusRow> {
  const { unit } = found;
  const port = unit.port ?? null;
  const health =
    unit.status.pid !== null && port !== null
      ? await probeHealth(port, findService(unit.service)?.healthPath ?? '/health')
      : null;
  return {
    checkout: {
      id: unit.checkoutId,
      root: unit.root,
      presence: found.presence,
      orphaned: isOrphaned(found),
      movedTo: found.movedTo,
      current: unit.checkoutId === currentId,
    },
    backend: unit.backend,
    service: unit.service,
    label: unit.label,
    state: unit.status.state,
    pid: unit.status.pid,
    port,
    url: port === null ? null : serviceUrl(port),
    healthy: answersAsOurs(health ?? undefined, { instance: unit.checkoutId, pid: unit.status.pid }),
    reason: unit.status.reason ?? null,
  };
}

/**
 * `pnpm status --all`: every nexu dev service on this machine, across checkouts and backends, as
 * the backends hold them, with where each checkout stands and whether each service answers.
 */
export async function collectMachineStatus(
  options: { currentId?: string; backends?: readonly BackendName[] } = {},
): Promise<MachineStatusReport> {
  const { services, problems } = await listMachineServices({
    ...(options.backends ? { backends: options.backends } : {}),
  });
  const rows = await Promise.all(services.map((found) => rowOf(found, options.currentId)));
  rows.sort(
    (a, b) =>
      (a.checkout.root ?? '').localeCompare(b.checkout.root ?? '') ||
      a.checkout.id.localeCompare(b.checkout.id) ||
      serviceRank(a.service) - serviceRank(b.service) ||
      a.service.localeCompare(b.service) ||
      a.backend.localeCompare(b.backend),
  );
  return { services: rows, problems };
}

/**
 * Exit code of `pnpm status --all`, as `statusExitCode`: for a program, 0 when every service runs
 * healthy and none is orphaned, else 1; on a terminal 0 (the table says it).
 */
export function machineStatusExitCode(report: MachineStatusReport, output: { terminal: boolean }): number {
  if (output.terminal) return 0;
  return report.services.every((s) => s.state === 'running' && s.healthy && !s.checkout.orphaned) ? 0 : 1;
}
