import type { LaunchctlPrint } from './parse-launchctl-print.js';
import type { ServiceState } from './supervisor.js';

/** What the crash-loop guard (or the backend, after a launch failure) recorded for one label. */
export interface LaunchdGuardRecords {
  /** Crash loop tripped, or launchd could not launch the job. */
  readonly crashed: { readonly reason: string } | null;
  /** The service exited 78 (the guard turned it into a clean exit). */
  readonly stopped: { readonly reason: string; readonly code?: number } | null;
  /** Whether the guard ran in a spawn since the last explicit start (it writes `<label>.starts`). */
  readonly guardLoaded: boolean;
  /** `runs` of the job when the last explicit start began; later spawns are this start's. */
  readonly runsAtStart: number;
}

/** The service state a `launchctl print` means, and whether launchd failed to launch the program. */
export interface LaunchdJobState {
  readonly state: ServiceState;
  readonly reason?: string;
  /** launchd could not launch the program (or node died before the guard loaded): boot it out. */
  readonly launchFailed?: boolean;
}

/** Spawns without a guard record before a failing job counts as "node cannot even load the guard". */
const UNGUARDED_SPAWNS = 2;

const IDLE_STATES = new Set(['not running']);

/**
 * Maps a parsed `launchctl print` and the guard's records to a service state (which print shapes
 * mean what: docs/platform.md, "launchctl"). Any pid means running or starting; a state this
 * code does not know means starting; `immediate reason` only names why the last spawn happened.
 */
export function describeLaunchdJob(
  print: LaunchctlPrint | null,
  records: LaunchdGuardRecords,
): LaunchdJobState {
  if (print === null)
    return records.crashed ? { state: 'crashed', reason: records.crashed.reason } : { state: 'stopped' };
  if (print.pid !== null) {
    if (print.state === 'running') return { state: 'running' };
    if (print.state === 'SIGTERMed') return { state: 'stopped', reason: 'being booted out' };
    return { state: 'starting' }; // `xpcproxy` right after a spawn, or a state not known here
  }
  if (records.crashed) return { state: 'crashed', reason: records.crashed.reason };
  if (records.stopped) return { state: 'stopped', reason: records.stopped.reason };
  if (print.state === 'SIGTERMed') return { state: 'stopped', reason: 'being booted out' };
  const launchFailure = describeLaunchFailure(print, records);
  if (launchFailure) return { state: 'crashed', reason: launchFailure, launchFailed: true };
  const failed = print.lastSignal !== null || (print.lastExitCode !== null && print.lastExitCode !== 0);
  // KeepAlive restarts a failed job after ThrottleInterval; a clean exit stays down.
  if (print.state === 'spawn scheduled' || failed) return { state: 'starting' };
  if (print.state !== null && !IDLE_STATES.has(print.state)) return { state: 'starting' };
  return { state: 'stopped', ...(print.lastExitCode === 0 ? { reason: 'exited 0' } : {}) };
}

/** Why launchd could not run the program at all, or null when it could. */
function describeLaunchFailure(print: LaunchctlPrint, records: LaunchdGuardRecords): string | null {
  if (print.lastExitReason?.startsWith('OS_REASON_')) {
    return `launchd could not launch it (last exit reason = ${print.lastExitReason})`;
  }
  // The guard turns the service's own exit 78 into 0, so a 78 launchd shows is launchd's own:
  // it could not open the program, the working directory or the log.
  if (print.jobState === 'spawn failed' || print.lastExitCode === 78) {
    const detail = [
      print.lastExitCode === null
        ? null
        : `last exit code = ${print.lastExitCode}${print.lastExitCode === 78 ? ': EX_CONFIG' : ''}`,
      print.jobState === null ? null : `job state = ${print.jobState}`,
    ].filter(Boolean);
    return `launchd could not launch it (${detail.join(', ')})`;
  }
  const spawns = print.runs - records.runsAtStart;
  if (
    !records.guardLoaded &&
    spawns >= UNGUARDED_SPAWNS &&
    print.lastSignal === null &&
    print.lastExitCode !== null &&
    print.lastExitCode !== 0
  ) {
    return `node exited ${print.lastExitCode} in ${spawns} spawns before the crash-loop guard loaded (it cannot read the checkout)`;
  }
  return null;
}
