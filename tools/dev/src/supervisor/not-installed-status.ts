import type { ServiceStatus } from './supervisor.js';

/** The status of a unit no backend knows: nothing installed, nothing running. */
export function notInstalledStatus(label: string): ServiceStatus {
  return { label, state: 'not-installed', pid: null, restarts: 0, lastExit: null };
}
