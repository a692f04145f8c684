import { pathToFileURL } from 'node:url';
import { runtimeProgramPath } from '../os/runtime-program.js';
import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP } from './crash-loop.js';
import { GUARD_ENV } from './guard-env.js';
import { readJsonOrNull } from './unit-files.js';

/** Absolute path of the guard preloaded into every launchd job and systemd unit. */
export const CRASH_LOOP_GUARD_PATH = runtimeProgramPath('crash-loop-guard');

/**
 * The crash-loop guard of a unit (see crash-loop-guard-preload.ts): launchd has no start limit of its
 * own, and systemd's is forgotten at every daemon-reload (docs/platform.md), so the breaker lives
 * inside the service's own process, in files beside the unit.
 */
export interface CrashLoopGuard {
  /** Absolute path of the built guard (`runtimeProgramPath('crash-loop-guard')`). */
  readonly path: string;
  /** Path prefix of the guard's files: `<prefix>.starts`, `<prefix>.crashed`, `<prefix>.stopped`. */
  readonly stateBase: string;
  readonly policy?: CrashLoopPolicy;
  /**
   * Record an exit 78 in `<prefix>.stopped` and end with 0 instead (launchd cannot be told not to
   * restart a 78; systemd can, with RestartPreventExitStatus=).
   */
  readonly recordConfigExit?: boolean;
}

/** `argv` with the guard preloaded: `node --import=<guard> ...` (the program stays first). */
export function guardedArgv(argv: readonly string[], guard: CrashLoopGuard): string[] {
  const [program, ...args] = argv;
  if (!program) throw new Error('A guarded unit needs an argv');
  return [program, `--import=${pathToFileURL(guard.path).href}`, ...args];
}

/** `env` plus what the guard reads. */
export function guardedEnv(
  env: Readonly<Record<string, string>>,
  guard: CrashLoopGuard,
): Record<string, string> {
  const policy = guard.policy ?? DEFAULT_CRASH_LOOP;
  return {
    ...env,
    [GUARD_ENV.stateBase]: guard.stateBase,
    [GUARD_ENV.maxStarts]: String(policy.maxStarts),
    [GUARD_ENV.windowMs]: String(policy.windowMs),
    ...(guard.recordConfigExit ? { [GUARD_ENV.recordConfigExit]: '1' } : {}),
  };
}

/** The reason the guard recorded in `<stateBase>.crashed` when it stopped a crash loop, or null. */
export async function readCrashedReason(stateBase: string): Promise<string | null> {
  const record = await readJsonOrNull<{ reason?: unknown }>(`${stateBase}.crashed`);
  return typeof record?.reason === 'string' ? record.reason : null;
}

/**
 * How many times a crash loop the guard stopped was restarted: the starts it recorded in
 * `<stateBase>.starts`, less the first one and the refused last one (the guard's exit 0). One
 * meaning of `restarts` on every backend: systemd resets its own `NRestarts` once the guard's
 * clean exit ends the unit, so its count cannot say it.
 */
export async function readBrokenLoopRestarts(stateBase: string): Promise<number> {
  const starts = await readJsonOrNull<unknown>(`${stateBase}.starts`);
  return Array.isArray(starts) ? Math.max(0, starts.length - 2) : 0;
}
