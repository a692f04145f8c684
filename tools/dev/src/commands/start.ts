import { waitFor } from '@nexu/service-kit';
import type { Checkout } from '../checkout/checkout.js';
import { ensureStateDirs } from '../checkout/ensure-state-dirs.js';
import { acquireLock } from '../checkout/lock.js';
import { createMemoryReporter, type Reporter } from '../format/reporter.js';
import { processIdentity } from '../os/process-identity.js';
import { confirmReady } from '../plan/confirm-ready.js';
import { executeStep, installChangedUnits, type StepOutcome } from '../plan/execute-step.js';
import { gatherStartFacts } from '../plan/gather-start-facts.js';
import { launchInDependencyOrder } from '../plan/launch-in-dependency-order.js';
import { planStart, type StartFacts, type StartPlan, stepsByName } from '../plan/plan-start.js';
import { replanLostPort } from '../plan/replan-lost-port.js';
import { StartInterruptedError, throwIfInterrupted } from '../plan/start-interrupted-error.js';
import {
  LEDGER_VERSION,
  type Ledger,
  type LedgerEntry,
  ledgerFor,
  type PreviousLocation,
  readLedger,
  writeLedger,
} from '../ports/ledger.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { type BuildFreshness, checkBuildFreshness } from '../services/build-freshness.js';
import { checkEnvFiles } from '../services/env-file-conflicts.js';
import { SERVICES, type ServiceName, type ServiceSpec } from '../services/manifest.js';
import type { SelectSupervisorOptions } from '../supervisor/select-supervisor.js';
import type { BackendName, Supervisor, UnitRef, UnitSpec } from '../supervisor/supervisor.js';
import { ensureBuilt } from './ensure-built.js';
import { selectStartSupervisor } from './select-start-supervisor.js';
import { describeTakeover, stopPreviousLocation } from './stop-previous-location.js';
import { availableSupervisors, listOtherBackendUnits, teardownOtherBackends } from './teardown.js';

export interface StartOptions {
  readonly checkout: Checkout;
  /**
   * Raw `--backend` / NEXU_DEV_BACKEND value; when absent, the backend the services run on (see
   * `selectStartSupervisor`), else auto-selected.
   */
  readonly backend?: string;
  readonly reporter: Reporter;
  /** Services to run (default: the whole manifest). */
  readonly services?: readonly ServiceSpec[];
  /** How long one service may take to answer `/health` after its start (default 30 s). */
  readonly readyTimeoutMs?: number;
  /**
   * Aborted when the command is interrupted (Ctrl-C): nothing more is started, waits end, what
   * runs is recorded, the lock released, and StartInterruptedError says what it left.
   */
  readonly signal?: AbortSignal;
}

export type { StartMode } from '../plan/execute-step.js';

/** How long a service may take to answer `/health` (and then be ready) after its start. */
const READY_TIMEOUT_MS = 30_000;

/** Attempts at binding a port that keeps being taken between the check and the bind. */
const MAX_PORT_RACES = 3;

/** One row of the start table. */
export type ServiceOutcome = Omit<StepOutcome, 'unit' | 'entry'>;

/** What `pnpm start` did, and what it hands on to the watch session. */
export interface StartReport {
  readonly backend: BackendName;
  readonly services: readonly ServiceOutcome[];
  readonly totalMs: number;
  /** The supervisor that runs the services (the watch session restarts through it). */
  readonly supervisor: Supervisor;
  /** Each service's unit as it runs now. */
  readonly units: Readonly<Partial<Record<ServiceName, UnitSpec>>>;
}

/**
 * `pnpm start` without the watcher: decide for every service (attach, start or replace, see
 * `planStart`), carry the plan out in dependency order (a service starts once its dependencies are
 * launched; readiness waits overlap), then record the ledger. Full attach restarts nothing.
 */
export async function startServices(options: StartOptions): Promise<StartReport> {
  const began = performance.now();
  const { checkout, reporter } = options;
  const services = options.services ?? SERVICES;
  // A bad line in a .env file stops everything here, before any state, unit or process.
  for (const line of checkEnvFiles(services, checkout, expectedPorts(checkout, null))) reporter.warn(line);
  await ensureStateDirs(checkout);
  const lock = await acquireLock(checkout, { command: 'pnpm start' });
  const entries: Partial<Record<ServiceName, LedgerEntry>> = {};
  // Services this run tried to attach or start: their previous entries no longer hold.
  const reached = new Set<ServiceName>();
  // Units the supervisor was (or may have been) told to run: after an interruption, each that runs
  // is recorded, healthy yet or not.
  const launched = new Map<ServiceName, UnitSpec>();
  const { signal } = options;
  let previous: Ledger | null = null;
  let backend: BackendName | undefined;
  let supervisor: Supervisor | undefined;
  // What runs now: the services this run reached, and the previous entries of those it did not
  // (after a failure they still run).
  const currentLedger = (): Ledger | null =>
    backend === undefined
      ? null
      : {
          version: LEDGER_VERSION,
          checkoutId: checkout.id,
          root: checkout.root,
          backend,
          updatedAt: new Date().toISOString(),
          services: {
            ...Object.fromEntries(
              Object.entries(previous?.services ?? {}).filter(([name]) => !reached.has(name as ServiceName)),
            ),
            ...entries,
          },
        };
  try {
    supervisor = await selectStartSupervisor({
      backend: options.backend,
      checkout,
      onFallback: (reason) => reporter.warn(reason),
      onNotice: (notice) => reporter.info(notice),
    });
    backend = supervisor.backend;
    throwIfInterrupted(signal);
    previous = await ledgerToStartFrom(checkout, backend, reporter);
    await teardownOtherBackends(checkout, supervisor.backend, reporter);
    throwIfInterrupted(signal);
    await ensureBuilt(services, checkout, reporter);
    throwIfInterrupted(signal);

    const outcomes = new Map<ServiceName, StepOutcome>();
    // A service that lost its port moved after its dependents were planned (or launched) with the
    // old one: a second pass, on the ports that run now, replaces them.
    for (let pass = 1, moved = true; moved && pass <= 2; pass++) {
      const facts = await gatherStartFacts({ checkout, supervisor, ledger: currentLedger(), services });
      const context = { checkout, supervisor, reporter, services, options, reached, launched };
      moved = await executePlan(planStart(facts), context, (outcome) => {
        entries[outcome.name] = outcome.entry;
        outcomes.set(outcome.name, outcome);
      });
    }
    const done = services.map((spec) => outcomes.get(spec.name)!);
    await confirmReady(done, checkout.id, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    return {
      backend: supervisor.backend,
      services: done.map(({ unit, entry, ...row }) => row),
      totalMs: performance.now() - began,
      supervisor,
      units: Object.fromEntries(done.map((outcome) => [outcome.name, outcome.unit])),
    };
  } catch (error) {
    if (!(await interruptedSoon(signal))) throw error;
    // Interrupted: what the supervisor was told to run and runs now is recorded too.
    if (supervisor) await recordLaunched(supervisor, launched, entries);
    const ledger = currentLedger();
    const running = services.filter((spec) => ledger?.services[spec.name]).map((spec) => spec.name);
    throw new StartInterruptedError({
      running,
      notRunning: services.map((spec) => spec.name).filter((name) => !running.includes(name)),
    });
  } finally {
    // Record whatever runs now, also after a failure, so `pnpm stop` and the next start find it.
    const ledger = currentLedger();
    if (ledger && Object.keys(ledger.services).length > 0) await writeLedger(checkout, ledger);
    await lock.release();
  }
}

// Ctrl-C reaches the whole process group: a build's esbuild service dies of it too, and its
// failure may reach us before our own handler has run. A failure gets a moment to turn out to be
// the interruption.
const INTERRUPT_GRACE_MS = 250;

async function interruptedSoon(signal: AbortSignal | undefined): Promise<boolean> {
  if (!signal || signal.aborted) return signal?.aborted === true;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, INTERRUPT_GRACE_MS);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
  return signal.aborted;
}

/** Ledger entries for the launched units that run but were not recorded (the start was interrupted). */
async function recordLaunched(
  supervisor: Supervisor,
  launched: ReadonlyMap<ServiceName, UnitSpec>,
  entries: Partial<Record<ServiceName, LedgerEntry>>,
): Promise<void> {
  for (const [name, unit] of launched) {
    if (entries[name]) continue;
    // A job whose launch the interruption caught halfway (launchd's xpcproxy, systemd's activating)
    // gets a moment to show its pid: it runs on, so it must be recorded.
    const settled = await waitFor(
      async () => {
        const status = await supervisor.status(unit).catch(() => null);
        return status && (status.pid !== null || status.state !== 'starting') ? status : undefined;
      },
      { timeoutMs: 2_000 },
    );
    const pid = settled.ok ? settled.value.pid : null;
    if (pid === null) continue;
    entries[name] = {
      label: unit.label,
      port: unit.port,
      pid,
      startTime: (await processIdentity(pid))?.startTime ?? null,
      since: new Date().toISOString(),
      mode: 'started',
    };
  }
}

interface PlanContext {
  readonly checkout: Checkout;
  readonly supervisor: Supervisor;
  readonly reporter: Reporter;
  readonly services: readonly ServiceSpec[];
  readonly options: StartOptions;
  /** Collects the services a step was run for. */
  readonly reached: Set<ServiceName>;
  /** Collects the units the supervisor was (or may have been) told to run (attached ones too). */
  readonly launched: Map<ServiceName, UnitSpec>;
}

/**
 * Carries a plan out in dependency order, recording each service as soon as it is up (so a
 * failure of another still leaves it in the ledger). A service that loses its port on the way is
 * re-planned on another (`replanLostPort`) and carried out again, a bounded number of times for a
 * port taken before it could bind it. True when a port had to move on the way.
 */
async function executePlan(
  plan: StartPlan,
  context: PlanContext,
  record: (outcome: StepOutcome) => void,
): Promise<boolean> {
  const { checkout, supervisor, reporter } = context;
  const steps = stepsByName(plan);
  let moved = false;
  const installed = await installChangedUnits(plan.steps, supervisor);
  const { signal } = context.options;
  await launchInDependencyOrder(context.services, async (spec, launched) => {
    let step = steps.get(spec.name)!;
    throwIfInterrupted(signal);
    context.reached.add(spec.name);
    // Ctrl-C reaches a `systemctl start` under way too: it dies, yet the manager runs the job it
    // queued. So the unit counts as launched from here on, not only once the call returned.
    context.launched.set(spec.name, step.unit);
    const began = performance.now();
    const taken = new Set(plan.steps.filter((other) => other.spec !== spec).map((other) => other.unit.port));
    let preinstalled = installed.get(spec.name);
    for (let attempt = 1; ; attempt++) {
      const result = await executeStep(
        step,
        {
          checkout,
          supervisor,
          reporter,
          readyTimeoutMs: context.options.readyTimeoutMs ?? READY_TIMEOUT_MS,
          mayMove: attempt < MAX_PORT_RACES,
          ...(signal ? { signal } : {}),
        },
        (unit) => {
          context.launched.set(spec.name, unit);
          launched();
        },
        preinstalled,
      );
      if (!('lost' in result)) {
        const outcome = { ...result, durationMs: performance.now() - began };
        record(outcome);
        return outcome;
      }
      moved = true;
      step = await replanLostPort(step, result, { checkout, ports: plan.ports, taken });
      preinstalled = undefined;
    }
  });
  return moved;
}

/**
 * This checkout's ledger when it was written for `backend` (a problem with it is reported). In a
 * checkout moved here, the services its previous location ran are stopped first (one line says
 * so) and their ports become this checkout's, reused where free.
 */
async function ledgerToStartFrom(
  checkout: Checkout,
  backend: BackendName,
  reporter: Reporter,
): Promise<Ledger | null> {
  const { ledger, problem, previous } = await readLedger(checkout);
  if (problem) reporter.warn(problem);
  if (previous) {
    const quiet = createMemoryReporter();
    const labels = await stopPreviousLocation(
      checkout,
      previous,
      quiet,
      await availableSupervisors(checkout),
    );
    for (const line of quiet.lines) if (line.startsWith('warning: ')) reporter.warn(line.slice(9));
    if (labels.length > 0) reporter.info(describeTakeover(previous, labels, true));
  }
  return ledgerFor(checkout, backend, { ledger, previous });
}

/** What `pnpm start --dry-run` shows: the plan, the builds it would run, the units it would remove. */
export interface StartPreview {
  readonly plan: StartPlan;
  /** What the plan was decided from (each unit's state, drift, health and port). */
  readonly facts: StartFacts;
  /** Services whose build is missing or older than their sources. */
  readonly builds: ReadonlyArray<{ readonly service: ServiceName; readonly freshness: BuildFreshness }>;
  /** Units of this checkout in other backends, which a start stops and removes. */
  readonly otherUnits: ReadonlyArray<{ readonly backend: BackendName; readonly unit: UnitRef }>;
  /** Why the ledger was ignored, when it was. */
  readonly ledgerProblem?: string;
  /** A checkout moved here: where it was, and the units it ran there, which a start stops. */
  readonly previousLocation?: {
    readonly location: PreviousLocation;
    readonly units: ReadonlyArray<{ readonly backend: BackendName; readonly unit: UnitRef }>;
  };
}

/**
 * `pnpm start --dry-run`: the decision `pnpm start` would take now, changing nothing (no lock, no
 * state folder, no unit, no process, no ledger).
 */
export async function previewStart(
  options: Omit<StartOptions, 'reporter' | 'readyTimeoutMs'> &
    Pick<SelectSupervisorOptions, 'runner' | 'platform'>,
): Promise<StartPreview> {
  const { checkout } = options;
  const services = options.services ?? SERVICES;
  const ask = {
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
  };
  const supervisor = await selectStartSupervisor({ ...ask, backend: options.backend, checkout });
  const { ledger: raw, problem, previous } = await readLedger(checkout);
  const ledger = ledgerFor(checkout, supervisor.backend, { ledger: raw, previous });
  const previousUnits = previous ? await listPreviousLocationUnits(checkout, previous, ask) : [];
  const freedPids = previousUnits.flatMap(({ pid }) => (pid === null ? [] : [pid]));
  const [facts, otherUnits] = await Promise.all([
    gatherStartFacts({ checkout, supervisor, ledger, services, freedPids }),
    listOtherBackendUnits(checkout, supervisor.backend, ask),
  ]);
  const builds = services
    .map((spec) => ({ service: spec.name, freshness: checkBuildFreshness(spec, checkout) }))
    .filter(({ freshness }) => freshness.state !== 'fresh');
  return {
    plan: planStart(facts),
    facts,
    builds,
    otherUnits,
    ...(problem ? { ledgerProblem: problem } : {}),
    ...(previous
      ? {
          previousLocation: {
            location: previous,
            units: previousUnits.map(({ backend, unit }) => ({ backend, unit })),
          },
        }
      : {}),
  };
}

/** The units a checkout moved here still has at its previous location, in every backend, with their pids. */
async function listPreviousLocationUnits(
  checkout: Checkout,
  previous: PreviousLocation,
  options: Pick<SelectSupervisorOptions, 'runner' | 'platform'>,
) {
  const supervisors = await availableSupervisors(checkout, undefined, options);
  const found = await Promise.all(
    supervisors.map(async (s) =>
      Promise.all(
        (await s.listInstalled(previous.checkoutId)).map(async (unit) => ({
          backend: s.backend,
          unit,
          pid: (await s.status(unit)).pid,
        })),
      ),
    ),
  );
  return found.flat();
}
