import type { Checkout } from '../checkout/checkout.js';
import { whyNotOurs } from '../checkout/service-identity.js';
import type { HealthResult } from '../health/probe-health.js';
import type { ResolvedPort } from '../ports/resolve-port.js';
import type { OwnedProcess } from '../ports/verify-ownership.js';
import type { ServiceName, ServicePorts, ServiceSpec } from '../services/manifest.js';
import type { BackendName, ServiceStatus, UnitSpec } from '../supervisor/supervisor.js';

/** What `pnpm start` found out about one service before deciding anything (see `gatherStartFacts`). */
export interface ServiceFacts {
  readonly spec: ServiceSpec;
  /** The unit as it would be rendered now, on the resolved ports. */
  readonly unit: UnitSpec;
  /** The supervisor's view of the unit. */
  readonly status: ServiceStatus;
  /** How the installed unit differs from `unit`: null when none is installed (see `Supervisor.drift`). */
  readonly drift: readonly string[] | null;
  /** What `/health` on the expected port answered, when a process of the unit runs; else null. */
  readonly health: HealthResult | null;
  /**
   * A process of the unit runs but its log file does not exist: the state folder (NEXU_HOME, logs,
   * units) was deleted under it, so it writes its state and log where nobody finds them.
   */
  readonly stateGone?: boolean;
  readonly port: ResolvedPort;
}

/** Everything the start decision depends on. */
export interface StartFacts {
  readonly checkout: Pick<Checkout, 'id'>;
  readonly backend: BackendName;
  /** The port of every service of the manifest the units were rendered with. */
  readonly ports: ServicePorts;
  /** In dependency order. */
  readonly services: readonly ServiceFacts[];
}

/**
 * What to do with a service: `attach` to it as it runs, `start` it (nothing of it runs), or
 * `replace` the process that runs.
 */
export type StartAction = 'attach' | 'start' | 'replace';

/** The decision for one service, with everything its executor needs. */
export interface ServiceStep {
  readonly spec: ServiceSpec;
  readonly action: StartAction;
  /** Why, in words: `unit changed: env.PORT`, `unhealthy: ECONNREFUSED`, `not installed`. */
  readonly reason: string;
  /** The service's own part of `reason` (without the port's story, which `portNote` tells). */
  readonly cause: string;
  /** The unit to run (its `port` is where the service will listen). */
  readonly unit: UnitSpec;
  /** Whether the unit must be (re)installed first: it is missing or differs from what is installed. */
  readonly install: boolean;
  /**
   * The process of the unit that runs now: the one attached to, or the one being replaced (until
   * a new process answers, its answers do not count); null when nothing runs.
   */
  readonly running: number | null;
  /** A leftover process of this checkout holding the port, stopped before the start. */
  readonly stale?: OwnedProcess;
  /** Why the service does not get its expected port, when it does not. */
  readonly portNote?: string;
}

/** The start decision: a step per service, in dependency order. */
export interface StartPlan {
  readonly backend: BackendName;
  /** The port of every service of the manifest the units were rendered with. */
  readonly ports: ServicePorts;
  readonly steps: readonly ServiceStep[];
}

/**
 * Decides, for every service, whether to attach, start or replace, and why (pure: the same facts
 * give the same plan). A service is attached only when a process of its unit runs, the unit is
 * installed exactly as it would be rendered now, and `/health` answers from that very process as
 * this checkout's instance.
 */
export function planStart(facts: StartFacts): StartPlan {
  return {
    backend: facts.backend,
    ports: facts.ports,
    steps: facts.services.map((service) => planService(service, facts)),
  };
}

function planService(facts: ServiceFacts, start: StartFacts): ServiceStep {
  const { spec, unit, status, drift, port } = facts;
  const runningPid =
    status.pid !== null && (status.state === 'running' || status.state === 'starting') ? status.pid : null;
  const base = {
    spec,
    unit,
    // A deleted state folder took the copy of the unit kept there: written again.
    install: drift === null || drift.length > 0 || facts.stateGone === true,
    ...(port.holder.kind === 'stale' ? { stale: port.holder.process } : {}),
    ...(port.note ? { portNote: port.note } : {}),
  };
  const stale =
    port.holder.kind === 'stale'
      ? [`stops pid ${port.holder.process.pid}, a leftover of this checkout on port ${port.expected}`]
      : [];
  const step = (action: StartAction, cause: string, running: number | null): ServiceStep => ({
    ...base,
    action,
    cause,
    // A running service replaced because its port moved: the move is the story, the changed
    // unit (env.PORT) only its consequence.
    reason: [
      ...(action === 'replace' && port.note ? [] : [cause]),
      ...(port.note ? [port.note] : []),
      ...stale,
    ].join('; '),
    running,
  });

  if (runningPid === null) {
    const changed = drift !== null && drift.length > 0 ? `; unit changed: ${drift.join(', ')}` : '';
    return step('start', `${notRunningReason(status)}${changed}`, null);
  }
  const defect = runningDefect(facts, runningPid, start.checkout.id);
  if (defect === undefined) return step('attach', 'runs as installed and answers as ours', runningPid);
  return step('replace', defect, runningPid);
}

function notRunningReason(status: ServiceStatus): string {
  if (status.state === 'not-installed') return 'not installed';
  const state = status.state === 'starting' ? 'starting without a process' : status.state;
  return status.reason ? `${state} (${status.reason})` : state;
}

/** What is wrong with a running service; undefined when it can be attached to. */
function runningDefect(facts: ServiceFacts, pid: number, instance: string): string | undefined {
  const { drift, health } = facts;
  if (facts.stateGone) return 'its log file is gone: .tmp/dev was deleted while it ran';
  if (drift === null) return 'its unit file is gone';
  if (drift.length > 0) return `unit changed: ${drift.join(', ')}`;
  if (!health?.ok) return `unhealthy: ${health?.reason ?? 'no answer'}`;
  return whyNotOurs(health.answer, { instance, pid }, facts.port.expected);
}

/** The plan's steps by service name. */
export function stepsByName(plan: StartPlan): ReadonlyMap<ServiceName, ServiceStep> {
  return new Map(plan.steps.map((step) => [step.spec.name, step]));
}
