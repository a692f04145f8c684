import { pathToFileURL } from 'node:url';
import * as plist from 'plist';
import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP } from './crash-loop.mjs';
import type { UnitSpec } from './supervisor.js';
import { flattenFields, type UnitFields } from './unit-drift.js';
import { STOP_GRACE_SECONDS, sortedEnv } from './unit-policy.js';

/** The crash-loop guard preloaded into the job (launchd has no start limit of its own). */
export interface LaunchdGuard {
  /** Absolute path of `launchd-guard.mjs`. */
  readonly path: string;
  /** Path prefix of the guard's files: `<prefix>.starts`, `<prefix>.crashed`, `<prefix>.stopped`. */
  readonly stateBase: string;
  readonly policy?: CrashLoopPolicy;
}

/** Environment variables the guard reads (and removes before the service sees its environment). */
export const GUARD_ENV = {
  stateBase: 'NEXU_DEV_GUARD_STATE',
  maxStarts: 'NEXU_DEV_GUARD_MAX_STARTS',
  windowMs: 'NEXU_DEV_GUARD_WINDOW_MS',
} as const;

/** Renders the LaunchAgent plist of `unit` (pure: same input, same bytes). */
export function renderPlist(unit: UnitSpec, guard?: LaunchdGuard): string {
  const [program, ...args] = unit.argv;
  if (!program) throw new Error(`Unit ${unit.label} has an empty argv`);
  const policy = guard?.policy ?? DEFAULT_CRASH_LOOP;
  const programArguments = guard
    ? [program, `--import=${pathToFileURL(guard.path).href}`, ...args]
    : [program, ...args];
  const env = guard
    ? {
        ...unit.env,
        [GUARD_ENV.stateBase]: guard.stateBase,
        [GUARD_ENV.maxStarts]: String(policy.maxStarts),
        [GUARD_ENV.windowMs]: String(policy.windowMs),
      }
    : unit.env;
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
