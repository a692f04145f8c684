import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP } from './crash-loop.js';
import type { UnitSpec } from './supervisor.js';
import { flattenFields, type UnitFields } from './unit-drift.js';
import { STOP_GRACE_SECONDS, sortedEnv } from './unit-policy.js';

/** What the process keeper reads from `<label>.unit.json`. */
export interface ProcessUnit extends UnitSpec {
  readonly version: 1;
  readonly crashLoop: CrashLoopPolicy;
  /** SIGTERM -> SIGKILL grace in ms. */
  readonly stopGraceMs: number;
  /** First restart delay in ms; doubles up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

/** Renders the process backend's unit file (pure, stable JSON with sorted env keys). */
export function renderProcessUnit(unit: UnitSpec, crashLoop: CrashLoopPolicy = DEFAULT_CRASH_LOOP): string {
  const rendered: ProcessUnit = {
    version: 1,
    label: unit.label,
    service: unit.service,
    checkoutId: unit.checkoutId,
    argv: [...unit.argv],
    cwd: unit.cwd,
    env: sortedEnv(unit.env),
    logPath: unit.logPath,
    port: unit.port,
    crashLoop: { maxStarts: crashLoop.maxStarts, windowMs: crashLoop.windowMs },
    stopGraceMs: STOP_GRACE_SECONDS * 1000,
    backoffMs: 100,
    maxBackoffMs: 2000,
  };
  return `${JSON.stringify(rendered, null, 2)}\n`;
}

/** The node an installed process unit runs (its first argument); null when its text says none. */
export function processUnitNode(text: string): string | null {
  try {
    const argv = (JSON.parse(text) as Partial<ProcessUnit>).argv;
    return typeof argv?.[0] === 'string' ? argv[0] : null;
  } catch {
    return null;
  }
}

/** The settings of a unit rendered by `renderProcessUnit`, for telling what changed (`env.PORT`, `argv`, ...). */
export function processUnitFields(text: string): UnitFields {
  return flattenFields(JSON.parse(text), { logPath: 'log' });
}
