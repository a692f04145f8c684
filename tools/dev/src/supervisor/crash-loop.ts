// What every backend honours about failing services: the crash-loop breaker and the config-error
// exit, shared by the backends, the process keeper and the crash-loop guard.

/** When a service counts as crash-looping: `maxStarts` failed starts within `windowMs`. */
export interface CrashLoopPolicy {
  /** Failed starts tolerated inside the window (systemd's StartLimitBurst). */
  readonly maxStarts: number;
  /** Window in ms (systemd's StartLimitIntervalSec). */
  readonly windowMs: number;
}

/** Exit code meaning "configuration error" (sysexits(3) EX_CONFIG): never restarted. */
export const EXIT_CONFIG = 78 as const;

/** The reason reported for a service that exited 78. */
export const CONFIG_EXIT_REASON = `exited ${EXIT_CONFIG} (configuration error)`;

/**
 * 5 failed starts in 30 s. A fast crasher trips it within a second or two whatever the window; the
 * window matters for a slow one: with systemd's default 10 s, a service that needs ~2 s to start
 * and die (a big bundle, a loaded machine) never had 5 starts inside the window and looped forever.
 */
export const DEFAULT_CRASH_LOOP: CrashLoopPolicy = Object.freeze({ maxStarts: 5, windowMs: 30_000 });

/**
 * The one crash-loop count: of the failed starts at `times` (ms), those inside the window ending
 * `now`, and whether they are a crash loop (`maxStarts` of them). The keeper counts its child's
 * failed exits; the guard counts the starts before the one it runs in (launchd and systemd restart
 * a job only after it failed).
 */
export function countCrashLoop(
  times: readonly unknown[],
  now: number,
  policy: CrashLoopPolicy,
): { readonly recent: number[]; readonly looping: boolean } {
  const recent = times.filter((at): at is number => typeof at === 'number' && now - at < policy.windowMs);
  return { recent, looping: recent.length >= policy.maxStarts };
}

/** The reason every backend reports for a tripped breaker, e.g. `crash loop: 5 failed starts in 30s`. */
export function describeCrashLoop(policy: CrashLoopPolicy): string {
  return `crash loop: ${policy.maxStarts} failed starts in ${Math.round(policy.windowMs / 1000)}s`;
}
