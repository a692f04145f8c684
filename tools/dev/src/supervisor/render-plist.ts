import * as plist from 'plist';
import { type CrashLoopGuard, guardedArgv, guardedEnv } from './crash-loop-guard.js';
import type { UnitSpec } from './supervisor.js';
import { flattenFields, type UnitFields } from './unit-drift.js';
import { STOP_GRACE_SECONDS, sortedEnv } from './unit-policy.js';

/** Renders the LaunchAgent plist of `unit` (pure: same input, same bytes). */
export function renderPlist(unit: UnitSpec, guard?: CrashLoopGuard): string {
  if (unit.argv.length === 0) throw new Error(`Unit ${unit.label} has an empty argv`);
  const programArguments = guard ? guardedArgv(unit.argv, guard) : [...unit.argv];
  const env = guard ? guardedEnv(unit.env, guard) : unit.env;
  return plist.build({
    Label: unit.label,
    ProgramArguments: programArguments,
    WorkingDirectory: unit.cwd,
    EnvironmentVariables: sortedEnv(env),
    RunAtLoad: true,
    // Restart on failure only: a clean exit (or the guard turning a crash loop / exit 78 into 0)
    // stays down.
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 1,
    // Interactive: no CPU/IO throttling of a dev service (Background would be throttled).
    ProcessType: 'Interactive',
    StandardOutPath: unit.logPath,
    StandardErrorPath: unit.logPath,
    ExitTimeOut: STOP_GRACE_SECONDS,
    // Loadable into the GUI session's domain (Aqua) and into `user/<uid>` (Background), the one
    // used over SSH or sudo: without the key a job is limited to Aqua (docs/platform.md, "launchctl").
    LimitLoadToSessionType: ['Aqua', 'Background'],
  });
}

/** The node an installed plist runs (its first program argument); null when its text says none. */
export function plistNode(text: string): string | null {
  try {
    const program = (plist.parse(text) as { ProgramArguments?: unknown[] }).ProgramArguments?.[0];
    return typeof program === 'string' ? program : null;
  } catch {
    return null;
  }
}

/** The settings of a plist rendered by `renderPlist`, for telling what changed (`env.PORT`, `argv`, ...). */
export function plistFields(text: string): UnitFields {
  return flattenFields(plist.parse(text), {
    ProgramArguments: 'argv',
    WorkingDirectory: 'cwd',
    EnvironmentVariables: 'env',
    StandardOutPath: 'log',
    StandardErrorPath: 'log',
  });
}
