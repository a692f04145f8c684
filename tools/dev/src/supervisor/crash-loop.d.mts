/** When a service counts as crash-looping: more than `maxStarts` failed starts within `windowMs`. */
export interface CrashLoopPolicy {
  /** Failed starts tolerated inside the window (systemd's StartLimitBurst). */
  readonly maxStarts: number;
  /** Window in ms (systemd's StartLimitIntervalSec). */
  readonly windowMs: number;
}

/** Exit code meaning "configuration error" (sysexits(3) EX_CONFIG): never restarted. */
export declare const EXIT_CONFIG: 78;
/** The reason reported for a service that exited 78. */
export declare const CONFIG_EXIT_REASON: string;
/** 5 failed starts in 30 s. */
export declare const DEFAULT_CRASH_LOOP: CrashLoopPolicy;
/**
 * Of the failed starts at `times` (ms), those inside the window ending `now`, and whether they are a
 * crash loop (`maxStarts` of them): the keeper's and the guard's one count.
 */
export declare function countCrashLoop(
  times: readonly unknown[],
  now: number,
  policy: CrashLoopPolicy,
): { readonly recent: number[]; readonly looping: boolean };
/** The reason every backend reports for a tripped breaker, e.g. `crash loop: 5 failed starts in 30s`. */
export declare function describeCrashLoop(policy: CrashLoopPolicy): string;
