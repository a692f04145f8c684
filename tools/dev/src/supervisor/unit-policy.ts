// What every rendered unit shares, whichever backend renders it.

/** Seconds a service gets between SIGTERM and SIGKILL on every backend (launchd's ExitTimeOut). */
export const STOP_GRACE_SECONDS = 3;

/** `env` with its keys in sorted order, so rendered units are stable bytes. */
export const sortedEnv = (env: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
