import { constants } from 'node:os';
import { CONFIG_EXIT_REASON, type CrashLoopPolicy, EXIT_CONFIG } from './crash-loop.js';
import { systemdStartLimit } from './render-systemd-unit.js';
import type { LastExit, ServiceState } from './supervisor.js';

/** Properties the systemd backend asks `systemctl --user show -p ...` for. */
export const SHOW_PROPERTIES = [
  'LoadState',
  'ActiveState',
  'SubState',
  'MainPID',
  'NRestarts',
  'ExecMainStatus',
  'ExecMainCode',
  'Result',
  'NeedDaemonReload',
  'ExecMainStartTimestampMonotonic',
] as const;

export type SystemctlShow = Partial<Record<(typeof SHOW_PROPERTIES)[number], string>>;

/**
 * The question that tells whether a user manager answers: `systemctl --user show -p SystemState
 * --value`, a call over its bus. (`is-system-running` is no use for that: it prints `offline`
 * without asking when `/run/systemd/system/` is missing, i.e. on a machine not booted with systemd
 * where a private user manager runs; docs/platform.md.)
 */
export const USER_MANAGER_PROBE = ['show', '-p', 'SystemState', '--value'] as const;

/**
 * Whether `USER_MANAGER_PROBE` was answered by a user manager: one of the states of systemctl(1),
 * "is-system-running" (a failed call prints nothing on stdout: "Failed to connect to bus" on stderr).
 */
export function userManagerAnswered(systemState: string): boolean {
  return /^(initializing|starting|running|degraded|maintenance|stopping)$/.test(systemState.trim());
}

/** Parses `Key=Value` lines (values may contain `=`). */
export function parseSystemctlShow(text: string): SystemctlShow {
  const props: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) props[line.slice(0, at)] = line.slice(at + 1);
  }
  return props;
}

/**
 * Parses `systemctl show -p Id,... a.service b.service`: one block of `Key=Value` lines per unit,
 * separated by an empty line (docs/platform.md, "systemd --user"); keyed by each block's `Id`.
 */
export function parseSystemctlShowUnits(text: string): Map<string, SystemctlShow> {
  const units = new Map<string, SystemctlShow>();
  for (const block of text.split(/\n\s*\n/)) {
    const props = parseSystemctlShow(block) as SystemctlShow & { Id?: string };
    if (props.Id) units.set(props.Id, props);
  }
  return units;
}

/** What the systemd properties mean for the contract: state, main pid, restarts, last exit, why. */
export interface SystemdState {
  readonly state: Exclude<ServiceState, 'not-installed'>;
  readonly pid: number | null;
  readonly restarts: number;
  readonly lastExit: LastExit | null;
  readonly reason?: string;
}

// ExecMainCode is a siginfo si_code: 1 CLD_EXITED, 2 CLD_KILLED, 3 CLD_DUMPED; 0 = never exited.
function lastExitOf(props: SystemctlShow): LastExit | null {
  const code = Number(props.ExecMainCode ?? 0);
  const status = Number(props.ExecMainStatus ?? 0);
  if (code === 1) return { code: status, signal: null };
  if (code === 2 || code === 3) {
    const signal = Object.entries(constants.signals).find(([, n]) => n === status)?.[0] ?? `signal ${status}`;
    return { code: null, signal };
  }
  return null;
}

/**
 * What a failed start or restart job left, from the unit's properties right after it: whether a
 * process of that job (started at or after `sinceMicros` on CLOCK_MONOTONIC, systemd's
 * `...Monotonic` clock) ran the program and then exited or was killed (`ran`), and one line on how
 * that process ended (null when the job started none). On systemd 252-255 a Type=exec job fails
 * when the program exits before the manager handled its successful exec (systemd/systemd#28304,
 * fixed by #30799): that program did launch, and its exit is for the readiness wait to report (78
 * as a configuration error, a crash with its log). systemd's own exit statuses (200-243, e.g.
 * 203/EXEC) mean it could not set the process up: the program never ran.
 */
export function readFailedStart(
  props: SystemctlShow,
  sinceMicros: bigint,
): { readonly ran: boolean; readonly ended: string | null } {
  const started = BigInt(props.ExecMainStartTimestampMonotonic || '0');
  const exit = started > 0n && started >= sinceMicros ? lastExitOf(props) : null;
  if (!exit) return { ran: false, ended: null };
  if (exit.signal) return { ran: true, ended: `its main process was killed by ${exit.signal}` };
  if (exit.code !== null && exit.code >= 200 && exit.code <= 243) {
    return {
      ran: false,
      ended: `systemd could not set its process up: exit status ${exit.code} (systemd.exec(5), "Process Exit Codes")`,
    };
  }
  return { ran: true, ended: `its main process exited with ${exit.code}` };
}

/** Why systemd's own start limit stopped a unit, e.g. `crash loop: systemd's start limit, 20 starts in 30s`. */
export function describeStartLimit(crashLoop: CrashLoopPolicy): string {
  const { burst, intervalSec } = systemdStartLimit(crashLoop);
  return `crash loop: systemd's start limit, ${burst} starts in ${intervalSec}s (StartLimitBurst)`;
}

/** Maps a loaded unit's properties to the contract's state (pure; `LoadState` is checked by the caller). */
export function systemdState(props: SystemctlShow, crashLoop: CrashLoopPolicy): SystemdState {
  const mainPid = Number(props.MainPID ?? 0);
  const pid = mainPid > 0 ? mainPid : null;
  const restarts = Number(props.NRestarts ?? 0) || 0;
  const lastExit = lastExitOf(props);
  const base = { restarts, lastExit };
  switch (props.ActiveState) {
    case 'active':
    case 'reloading':
      return { ...base, state: props.SubState === 'start' ? 'starting' : 'running', pid };
    case 'activating':
      return {
        ...base,
        state: 'starting',
        pid,
        ...(props.SubState === 'auto-restart' ? { reason: 'restarting after a failure' } : {}),
      };
    case 'failed':
      if (lastExit?.code === EXIT_CONFIG)
        return { ...base, state: 'stopped', pid: null, reason: CONFIG_EXIT_REASON };
      // The guard stops a crash loop with exit 0 (the unit ends inactive; its record names the
      // loop). A unit ends `failed` after restarts only when systemd's own start limit stopped it,
      // the backstop for a service the guard never ran in (node or the guard file missing): systemd
      // 252 keeps Result=exit-code when an *automatic* restart hits the limit (start-limit-hit
      // shows only for a refused manual start).
      if (props.Result === 'start-limit-hit' || restarts > 0) {
        return { ...base, state: 'crashed', pid: null, reason: describeStartLimit(crashLoop) };
      }
      return { ...base, state: 'crashed', pid: null, reason: `failed (${props.Result ?? 'unknown result'})` };
    default:
      // inactive, deactivating
      return { ...base, state: 'stopped', pid: null };
  }
}
