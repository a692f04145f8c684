import type { Checkout } from '../checkout/checkout.js';
import { ensureStateDirs } from '../checkout/ensure-state-dirs.js';
import { acquireLock } from '../checkout/lock.js';
import type { Reporter } from '../format/reporter.js';
import { matchesExpectation, probeHealth } from '../health/probe-health.js';
import { waitForServiceReady } from '../health/wait-for-service-ready.js';
import { readLogTail } from '../logs/read-last-lines.js';
import { isPortFree } from '../os/port-free.js';
import { processIdentity } from '../os/process-identity.js';
import { initialPorts } from '../ports/allocate-ports.js';
import { type Ledger, type LedgerEntry, readLedger, writeLedger } from '../ports/ledger.js';
import { ensureBuilt } from '../services/ensure-built.js';
import { SERVICES, type ServiceName, type ServiceSpec, serviceUrl } from '../services/manifest.js';
import { hashUnitSpec, resolveUnitSpec } from '../services/unit-spec.js';
import { EXIT_CONFIG } from '../supervisor/crash-loop.mjs';
import { selectSupervisor } from '../supervisor/select-supervisor.js';
import type { BackendName, ServiceStatus, Supervisor, UnitSpec } from '../supervisor/supervisor.js';
import { type PortContext, resolveServicePort } from './resolve-service-port.js';
import { launchInDependencyOrder } from './service-plan.js';
import { serviceStartError } from './service-start-error.js';
import { teardownOtherBackends } from './teardown.js';

export interface StartOptions {
  readonly checkout: Checkout;
  /** Raw `--backend` / NEXU_DEV_BACKEND value; auto-selected when absent. */
  readonly backend?: string;
  readonly reporter: Reporter;
  /** Services to run (default: the whole manifest). */
  readonly services?: readonly ServiceSpec[];
  /** How long one service may take to answer `/health` after its start (default 30 s). */
  readonly readyTimeoutMs?: number;
}

export type StartMode = 'attached' | 'started';

export interface ServiceOutcome {
  readonly name: ServiceName;
  readonly label: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly mode: StartMode;
  readonly durationMs: number;
}

export interface StartReport {
  readonly backend: BackendName;
  readonly services: readonly ServiceOutcome[];
  readonly totalMs: number;
}

/** What every per-service step shares during one `pnpm start`. */
interface StartContext extends PortContext {
  readonly supervisor: Supervisor;
  readonly readyTimeoutMs: number;
}

/**
 * `pnpm start` without the watcher: attach to what runs, start what is missing or changed, in
 * dependency order (a service starts once its dependencies are launched; readiness waits
 * overlap), then record the ledger. Full attach restarts nothing.
 */
export async function startServices(options: StartOptions): Promise<StartReport> {
  const began = performance.now();
  const { checkout, reporter } = options;
  const services = options.services ?? SERVICES;
  await ensureStateDirs(checkout);
  const lock = await acquireLock(checkout, { command: 'pnpm start' });
  const entries: Partial<Record<ServiceName, LedgerEntry>> = {};
  // Services this run tried to attach or start; the others keep their previous ledger entry.
  const reached = new Set<ServiceName>();
  let previous: Ledger | null = null;
  let backend: BackendName | undefined;
  try {
    const supervisor = await selectSupervisor({ backend: options.backend, checkout });
    backend = supervisor.backend;
    const { ledger: rawLedger, problem } = await readLedger(checkout);
    if (problem) reporter.warn(problem);
    const ledger = rawLedger?.backend === supervisor.backend ? rawLedger : null;
    previous = ledger;
    await teardownOtherBackends(checkout, supervisor.backend, reporter);
    await ensureBuilt(services, checkout, reporter);

    const ports = { ...initialPorts(checkout, ledger) };
    const statuses = await Promise.all(
      services.map(
        async (spec) => [spec.name, await supervisor.status(resolveUnitSpec(spec, checkout, ports))] as const,
      ),
    );
    const supervisorPids = new Map<ServiceName, number>();
    for (const [name, status] of statuses) if (status.pid) supervisorPids.set(name, status.pid);
    const context: StartContext = {
      checkout,
      supervisor,
      reporter,
      ledger,
      ports,
      supervisorPids,
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
    };

    const statusOf = new Map(statuses);
    // Each service is recorded as soon as it is up, so a failure of another still leaves it in the ledger.
    const ensureRecorded = async (spec: ServiceSpec, status: ServiceStatus, launched?: () => void) => {
      reached.add(spec.name);
      const result = await ensureService(spec, status, context, launched);
      entries[spec.name] = result.entry;
      return result;
    };
    const results = await launchInDependencyOrder(services, (spec, launched) =>
      ensureRecorded(spec, statusOf.get(spec.name)!, launched),
    );
    // A port that moved after its dependents launched (a lost port race) changes their
    // environment: bring those units up to date, in dependency order.
    for (const [i, spec] of services.entries()) {
      const result = results[i]!;
      if (result.entry.unitHash === hashUnitSpec(resolveUnitSpec(spec, checkout, ports))) continue;
      results[i] = await ensureRecorded(
        spec,
        await supervisor.status(resolveUnitSpec(spec, checkout, ports)),
      );
    }
    return {
      backend: supervisor.backend,
      services: results.map((r) => r.outcome),
      totalMs: performance.now() - began,
    };
  } finally {
    // Record whatever runs now, also after a failure, so `pnpm stop` and the next start find it.
    // A failed start keeps the entries of the services it never reached (they still run).
    const kept = Object.entries(previous?.services ?? {}).filter(
      ([name]) => !reached.has(name as ServiceName),
    );
    Object.assign(entries, { ...Object.fromEntries(kept), ...entries });
    if (backend && Object.keys(entries).length > 0) {
      await writeLedger(checkout, {
        version: 1,
        checkoutId: checkout.id,
        backend,
        updatedAt: new Date().toISOString(),
        services: entries,
      });
    }
    await lock.release();
  }
}

/** Attaches to one service when it runs as rendered and answers as ours; otherwise (re)starts it. */
async function ensureService(
  spec: ServiceSpec,
  status: ServiceStatus,
  context: StartContext,
  launched: () => void = () => {},
): Promise<ServiceResult> {
  const began = performance.now();
  const { checkout, supervisor } = context;
  let unit = resolveUnitSpec(spec, checkout, context.ports);

  if (status.state === 'running' && status.unitMatches) {
    const health = await probeHealth(unit.port, spec.healthPath);
    if (health.ok && matchesExpectation(health.answer, { instance: checkout.id, pid: status.pid })) {
      launched();
      return await record(spec, unit, health.answer.pid, 'attached', began);
    }
  }

  let replacing = status.pid;
  let current = status;
  // A port can be taken between the check and the service's bind (it then exits 78 on
  // EADDRINUSE and is not restarted): resolve the port again and retry, a bounded number of times.
  for (let attempt = 1; ; attempt++) {
    const port = await resolveServicePort(spec, current, context);
    if (port !== unit.port) unit = resolveUnitSpec(spec, checkout, context.ports);
    context.reporter.info(`${spec.name}: starting on ${serviceUrl(unit.port)}…`);
    await installAndStart(supervisor, unit);
    launched();

    // Answers from the process being replaced do not count as the new one being ready.
    const ready = await waitForServiceReady(
      supervisor,
      unit,
      { instance: checkout.id, replacing },
      { timeoutMs: context.readyTimeoutMs, path: spec.healthPath },
    );
    if (ready.ok) return await record(spec, unit, ready.answer.pid, 'started', began);

    const lostPortRace =
      ready.status?.lastExit?.code === EXIT_CONFIG &&
      attempt < MAX_PORT_RACES &&
      (!(await isPortFree(unit.port)) || (await failedOnBusyPort(unit)));
    if (lostPortRace) {
      context.reporter.warn(
        `${spec.name}: port ${unit.port} was taken before it could bind it; choosing the port again`,
      );
      replacing = null;
      current = ready.status!;
      continue;
    }
    const after = ready.status ?? (await supervisor.status(unit).catch(() => undefined));
    throw await serviceStartError(spec.name, ready.reason, { status: after, logPath: unit.logPath });
  }
}

/** What one service ended as, and what the ledger records of it. */
interface ServiceResult {
  readonly outcome: ServiceOutcome;
  readonly entry: LedgerEntry;
}

/**
 * Whether the service's last words were EADDRINUSE: the port was taken when it bound, even if the
 * holder (another process just starting or moving) has let go by now.
 */
async function failedOnBusyPort(unit: UnitSpec): Promise<boolean> {
  const [last] = (await readLogTail(unit.logPath, 1).catch(() => undefined)) ?? [];
  return last?.includes('EADDRINUSE') === true;
}

/** Attempts at binding a port that keeps being taken between the check and the bind. */
const MAX_PORT_RACES = 3;

/** Installs (or replaces) the unit and makes sure it runs the unit as rendered now. */
async function installAndStart(supervisor: Supervisor, unit: UnitSpec): Promise<void> {
  const installed = await supervisor.install(unit);
  const current = await supervisor.status(unit);
  if (current.state === 'running' || current.state === 'starting') {
    // A replaced unit was restarted by install; an unchanged one runs but did not answer as ours.
    if (installed === 'unchanged') await supervisor.restart(unit);
  } else {
    await supervisor.start(unit);
  }
}

async function record(
  spec: ServiceSpec,
  unit: UnitSpec,
  pid: number,
  mode: StartMode,
  began: number,
): Promise<ServiceResult> {
  const now = new Date().toISOString();
  const outcome: ServiceOutcome = {
    name: spec.name,
    label: unit.label,
    url: serviceUrl(unit.port),
    port: unit.port,
    pid,
    mode,
    durationMs: performance.now() - began,
  };
  const entry: LedgerEntry = {
    label: unit.label,
    port: unit.port,
    pid,
    startTime: (await processIdentity(pid))?.startTime ?? null,
    unitHash: hashUnitSpec(unit),
    since: now,
    mode,
  };
  return { outcome, entry };
}
