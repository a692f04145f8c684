import type { Checkout } from '../checkout/checkout.js';
import type { Reporter } from '../format/reporter.js';
import { readLogTail } from '../logs/read-last-lines.js';
import { isPortFree } from '../os/port-free.js';
import { processIdentity } from '../os/process-identity.js';
import type { LedgerEntry } from '../ports/ledger.js';
import { stopOwnedProcess } from '../ports/stop-owned-process.js';
import { serviceUrl } from '../services/manifest.js';
import { EXIT_CONFIG } from '../supervisor/crash-loop.js';
import type { InstallOutcome, Supervisor, UnitSpec } from '../supervisor/supervisor.js';
import type { ServiceStep } from './plan-start.js';
import { type Recovery, serviceStartError } from './service-start-error.js';
import { throwIfInterrupted } from './start-interrupted-error.js';
import { waitForServiceReady } from './wait-for-service-ready.js';

/** What carrying out a step needs besides the step itself. */
export interface ExecuteContext {
  readonly checkout: Checkout;
  readonly supervisor: Supervisor;
  readonly reporter: Reporter;
  /** How long a service may take to answer `/health` after its start. */
  readonly readyTimeoutMs: number;
  /** What a failed start advises (default: run `pnpm start` again; the watch session: save a fix). */
  readonly recovery?: Recovery;
  /** The command was interrupted (Ctrl-C): readiness waits end, the step throws StartInterruptedError. */
  readonly signal?: AbortSignal;
}

export type StartMode = 'attached' | 'started';

/** What one service ended as. */
export interface StepOutcome {
  readonly name: ServiceStep['spec']['name'];
  readonly label: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly mode: StartMode;
  readonly durationMs: number;
  /** The unit that runs now (the step's). */
  readonly unit: UnitSpec;
  /** What the ledger records of it. */
  readonly entry: LedgerEntry;
}

/**
 * A step that could not have its port: the start re-plans the service on another one
 * (`replanLostPort`); the executor never picks a port itself.
 */
export interface PortLost {
  /**
   * Why: `leftover`, a leftover of this checkout holds it and could not be stopped;
   * `address-in-use`, it was taken between the check and the service's bind (EADDRINUSE).
   */
  readonly lost: 'leftover' | 'address-in-use';
  readonly port: number;
  /** What became of the port, as the move's note says it: `was taken before it could bind it`. */
  readonly description: string;
}

/**
 * Carries out one step of a start plan: attach, or (after stopping a leftover of ours on the port)
 * install the unit when it changed, start or restart it, and wait until it answers `/health` as a
 * new process of this checkout. `launched` is called with the unit once the supervisor runs it on
 * its port (its dependents start then, not once it is healthy: their readiness waits overlap);
 * `preinstalled`: how the step's unit was installed already (see `installChangedUnits`).
 * With `mayMove`, a port lost on the way is reported (`PortLost`) for the start to re-plan; else,
 * as every failure to come up, it throws a ServiceStartError with the supervisor's state and the
 * log tail (a restart and a hot reload keep the port the service runs on).
 */
export async function executeStep(
  step: ServiceStep,
  context: ExecuteContext & { readonly mayMove: boolean },
  launched?: (unit: UnitSpec) => void,
  preinstalled?: InstallOutcome,
): Promise<StepOutcome | PortLost>;
export async function executeStep(
  step: ServiceStep,
  context: ExecuteContext,
  launched?: (unit: UnitSpec) => void,
  preinstalled?: InstallOutcome,
): Promise<StepOutcome>;
export async function executeStep(
  step: ServiceStep,
  context: ExecuteContext & { readonly mayMove?: boolean },
  launched: (unit: UnitSpec) => void = () => {},
  preinstalled?: InstallOutcome,
): Promise<StepOutcome | PortLost> {
  const began = performance.now();
  const { spec, unit } = step;
  const { checkout, supervisor, reporter } = context;
  if (step.action === 'attach' && step.running !== null) {
    launched(unit);
    return outcome(unit, step.running, 'attached', began);
  }

  if (step.portNote) reporter.warn(`${spec.name}: ${step.portNote}`);
  if (step.stale) {
    const stopped = await stopOwnedProcess(step.stale, { port: unit.port });
    if (stopped.stopped) {
      reporter.info(
        `${spec.name}: stopped a stale process of this checkout on port ${unit.port} (pid ${step.stale.pid})`,
      );
    } else {
      reporter.warn(
        `${spec.name}: could not stop stale pid ${step.stale.pid} on port ${unit.port}: ${stopped.reason}`,
      );
      if (!context.mayMove)
        throw new Error(`${spec.name}: port ${unit.port} is still held by pid ${step.stale.pid}`);
      return {
        lost: 'leftover',
        port: unit.port,
        description: `is still held by pid ${step.stale.pid}, a leftover of this checkout that could not be stopped`,
      };
    }
  }

  const verb = step.action === 'start' ? 'starting' : 'replacing';
  reporter.info(`${spec.name}: ${verb} on ${serviceUrl(unit.port)} (${step.cause})…`);
  throwIfInterrupted(context.signal);
  await run(supervisor, step.action, unit, step.install ? preinstalled : 'unchanged');
  launched(unit);

  // Answers from the process being replaced do not count as the new one being ready.
  const ready = await waitForServiceReady(
    supervisor,
    unit,
    { instance: checkout.id, replacing: step.running },
    {
      timeoutMs: context.readyTimeoutMs,
      path: spec.healthPath,
      ...(context.signal ? { signal: context.signal } : {}),
    },
  );
  if (ready.ok) return outcome(unit, ready.answer.pid, 'started', began);
  throwIfInterrupted(context.signal);

  // A port can be taken between the check and the service's bind: it then exits 78 on EADDRINUSE
  // and is not restarted.
  const lostPort =
    context.mayMove === true &&
    ready.status?.lastExit?.code === EXIT_CONFIG &&
    (!(await isPortFree(unit.port)) || (await failedOnBusyPort(unit)));
  if (lostPort)
    return { lost: 'address-in-use', port: unit.port, description: 'was taken before it could bind it' };
  // Giving up here is a change the user asked for (a start, a reload): stop what the supervisor
  // would retry forever (launchd relaunching a program it cannot launch). Status never does.
  await supervisor.abandon(unit).catch(() => undefined);
  const after = ready.status ?? (await supervisor.status(unit).catch(() => undefined));
  throw await serviceStartError(spec.name, ready.reason, {
    status: after,
    logPath: unit.logPath,
    root: checkout.root,
    ...(context.recovery ? { recovery: context.recovery } : {}),
  });

  async function outcome(unit: UnitSpec, pid: number, mode: StartMode, since: number): Promise<StepOutcome> {
    return {
      name: spec.name,
      label: unit.label,
      url: serviceUrl(unit.port),
      port: unit.port,
      pid,
      mode,
      durationMs: performance.now() - since,
      unit,
      entry: {
        label: unit.label,
        port: unit.port,
        pid,
        startTime: (await processIdentity(pid))?.startTime ?? null,
        since: new Date().toISOString(),
        mode,
      },
    };
  }
}

/**
 * Makes the supervisor run `unit` as rendered now, in a new process: a changed unit is installed
 * first, unless that was done (`installed`; installing over a running unit restarts it); then a
 * replaced process is restarted, a service that does not run is started. One supervisor call on
 * the hot-reload path (`restart`).
 */
async function run(
  supervisor: Supervisor,
  action: ServiceStep['action'],
  unit: UnitSpec,
  installed: InstallOutcome | undefined,
): Promise<void> {
  if ((installed ?? (await supervisor.install(unit))) === 'replaced') return supervisor.start(unit);
  return action === 'replace' ? supervisor.restart(unit) : supervisor.start(unit);
}

/**
 * Installs the changed units of a plan all at once (the systemd backend then reloads its manager
 * once, launchd drains the replaced jobs together), before anything is launched in dependency
 * order; returns the outcome per service for `executeStep`.
 */
export async function installChangedUnits(
  steps: readonly ServiceStep[],
  supervisor: Supervisor,
): Promise<ReadonlyMap<ServiceStep['spec']['name'], InstallOutcome>> {
  const changed = steps.filter((step) => step.install && !step.stale);
  return new Map(
    await Promise.all(
      changed.map(async (step) => [step.spec.name, await supervisor.install(step.unit)] as const),
    ),
  );
}

/**
 * Whether the service's last words were EADDRINUSE: the port was taken when it bound, even if the
 * holder (another process just starting or moving) has let go by now.
 */
async function failedOnBusyPort(unit: UnitSpec): Promise<boolean> {
  const [last] = (await readLogTail(unit.logPath, 1).catch(() => undefined)) ?? [];
  return last?.includes('EADDRINUSE') === true;
}
