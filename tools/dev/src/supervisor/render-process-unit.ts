import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP } from './crash-loop.js';
import { STOP_GRACE_SECONDS } from './render-plist.js';
import type { UnitSpec } from './supervisor.js';

/** What the process keeper reads from `<label>.unit.json`. */
export interface ProcessUnit {
  readonly version: 1;
  readonly label: string;
  readonly service: string;
  readonly checkoutId: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  readonly port: number;
  readonly crashLoop: CrashLoopPolicy;
  /** SIGTERM -> SIGKILL grace in ms. */
  readonly stopGraceMs: number;
  /** First restart delay in ms; doubles up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

/** Renders the process backend's unit file (pure, stable JSON with sorted env keys). */
export function renderProcessUnit(unit: UnitSpec, crashLoop: CrashLoopPolicy = DEFAULT_CRASH_LOOP): string {
  const env = Object.fromEntries(Object.entries(unit.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const rendered: ProcessUnit = {
    version: 1,
    label: unit.label,
    service: unit.service,
    checkoutId: unit.checkoutId,
    argv: [...unit.argv],
    cwd: unit.cwd,
    env,
    logPath: unit.logPath,
    port: unit.port,
    crashLoop: { maxStarts: crashLoop.maxStarts, windowMs: crashLoop.windowMs },
    stopGraceMs: STOP_GRACE_SECONDS * 1000,
    backoffMs: 100,
    maxBackoffMs: 2000,
  };
  return `${JSON.stringify(rendered, null, 2)}\n`;
}
