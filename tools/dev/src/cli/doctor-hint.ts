/** The last line of a command that failed for a reason `pnpm run doctor` can explain. */
export const DOCTOR_HINT =
  'Run `pnpm run doctor`: it checks everything pnpm start depends on and says how to fix what it finds.';

// By name, as this floor cannot import the errors' own floors: a backend's preflight
// (BackendUnavailableError), a launchctl or systemctl call (CommandError, SupervisorError: a failed
// bootstrap), a service that would not come up (ServiceStartError: a crash loop).
const EXPLAINED = new Set([
  'BackendUnavailableError',
  'CommandError',
  'SupervisorError',
  'ServiceStartError',
]);

/** The doctor hint for `error` when doctor can tell more about it; null otherwise. */
export function doctorHint(error: unknown): string | null {
  return error instanceof Error && EXPLAINED.has(error.name) ? DOCTOR_HINT : null;
}
