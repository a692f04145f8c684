/** Environment variables the guard reads (and removes before the service sees its environment). */
export const GUARD_ENV = {
  stateBase: 'NEXU_DEV_GUARD_STATE',
  maxStarts: 'NEXU_DEV_GUARD_MAX_STARTS',
  windowMs: 'NEXU_DEV_GUARD_WINDOW_MS',
  recordConfigExit: 'NEXU_DEV_GUARD_RECORD_EXIT_78',
} as const;
