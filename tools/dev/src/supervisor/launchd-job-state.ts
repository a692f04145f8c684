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

/**
 * Why launchd could not run the program, as far as its print tells: `codesigning` (the code
 * requirement recorded at load no longer holds, e.g. node was upgraded under the job), `exec`
 * (another `OS_REASON_*`: the kernel or AMFI refused to execute it), `spawn` (`job state = spawn
 * failed` or launchd's own 78: the program, its folder or its log could not be opened), `unguarded`
 * (node ran and died before the crash-loop guard loaded: it cannot read its files).
 */
export type LaunchFailureCause = 'codesigning' | 'exec' | 'spawn' | 'unguarded';

/** The service state a `launchctl print` means, and why launchd failed to launch the program. */
export interface LaunchdJobState {
  readonly state: ServiceState;
  readonly reason?: string;
  /** launchd could not launch the program: KeepAlive retries it forever until a start gives up. */
  readonly launchFailed?: LaunchFailureCause;
}

/** What `status` says of a label that launchd still lists while a bootout drains it. */
export const DRAINING_REASON = 'launchd is still unloading it';

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
  // A bootout drains the label for 3-5 s after the job is gone: stopped, never running or crashed.
  if (print.state === 'SIGTERMed') return { state: 'stopped', reason: DRAINING_REASON };
  if (print.pid !== null) {
    if (print.state === 'running') return { state: 'running' };
    return { state: 'starting' }; // `xpcproxy` right after a spawn, or a state not known here
  }
  if (records.crashed) return { state: 'crashed', reason: records.crashed.reason };
  if (records.stopped) return { state: 'stopped', reason: records.stopped.reason };
  const launchFailure = describeLaunchFailure(print, records);
  if (launchFailure) return { state: 'crashed', ...launchFailure };
  // KeepAlive restarts a failed job after ThrottleInterval (`spawn scheduled`); a job that is idle
  // (`not running`, no pid) after a failed run is not being restarted (an on-demand or WatchPaths
  // job between runs): stopped, with that exit.
  if (print.state !== null && IDLE_STATES.has(print.state)) {
    if (print.lastSignal !== null) return { state: 'stopped', reason: `killed by ${print.lastSignal}` };
    return {
      state: 'stopped',
      ...(print.lastExitCode === null ? {} : { reason: `exited ${print.lastExitCode}` }),
    };
  }
  if (print.state !== null) return { state: 'starting' }; // `spawn scheduled`, or one not known here
  return { state: 'stopped', ...(print.lastExitCode === 0 ? { reason: 'exited 0' } : {}) };
}

/** Why launchd could not run the program at all, or null when it could. */
function describeLaunchFailure(
  print: LaunchctlPrint,
  records: LaunchdGuardRecords,
): { reason: string; launchFailed: LaunchFailureCause } | null {
  if (print.lastExitReason?.startsWith('OS_REASON_')) {
    return {
      reason: `launchd could not launch it (last exit reason = ${print.lastExitReason})`,
      launchFailed: print.lastExitReason === 'OS_REASON_CODESIGNING' ? 'codesigning' : 'exec',
    };
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
    return { reason: `launchd could not launch it (${detail.join(', ')})`, launchFailed: 'spawn' };
  }
  const spawns = print.runs - records.runsAtStart;
  if (
    !records.guardLoaded &&
    spawns >= UNGUARDED_SPAWNS &&
    print.lastSignal === null &&
    print.lastExitCode !== null &&
    print.lastExitCode !== 0
  ) {
    return {
      reason: `node exited ${print.lastExitCode} in ${spawns} spawns before the crash-loop guard loaded`,
      launchFailed: 'unguarded',
    };
  }
  return null;
}
