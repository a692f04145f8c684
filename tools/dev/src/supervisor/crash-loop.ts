/** When a service counts as crash-looping: more than `maxStarts` failed starts within `windowMs`. */
export interface CrashLoopPolicy {
  /** Failed starts tolerated inside the window (systemd's StartLimitBurst). */
  readonly maxStarts: number;
  /** Window in ms (systemd's StartLimitIntervalSec). */
  readonly windowMs: number;
}

/**
 * 5 failed starts in 30 s. A fast crasher trips it within a second or two whatever the window; the
 * window matters for a slow one: with systemd's default 10 s, a service that needs ~2 s to start
 * and die (a big bundle, a loaded machine) never had 5 starts inside the window and looped forever.
 */
export const DEFAULT_CRASH_LOOP: CrashLoopPolicy = { maxStarts: 5, windowMs: 30_000 };

/** The reason every backend reports for a tripped breaker, e.g. `crash loop: 5 failed starts in 30s`. */
export function describeCrashLoop(policy: CrashLoopPolicy): string {
  return `crash loop: ${policy.maxStarts} failed starts in ${Math.round(policy.windowMs / 1000)}s`;
}

/** Exit code meaning "configuration error" (sysexits EX_CONFIG): never restarted. */
export const EXIT_CONFIG = 78;

/** The reason reported for a service that exited 78. */
export const CONFIG_EXIT_REASON = 'exited 78 (configuration error)';
