import { parsePsLstart } from '@nexu/service-kit/proc-stat';

/** What `ps -o ppid=,pgid=,stat=,lstart=,command=` says about one process. */
export interface PsStat {
  readonly ppid: number;
  readonly pgid: number;
  /** Process state (`S`, `Ss`, `Z`, ...). */
  readonly state: string;
  /** `lstart`, blanks collapsed (`Mon Nov 30 00:57:31 2026`): compared for equality only. */
  readonly startTime: string;
  /** Full command line. */
  readonly command: string;
}

/**
 * Parses one line of `LC_ALL=C ps -ww -o ppid=,pgid=,stat=,lstart=,command= -p <pid>`; lstart is
 * always five blank-separated tokens in the C locale. Null when the line is not one.
 */
export function parsePsStat(text: string): PsStat | null {
  const tokens = text.trim().split(/\s+/);
  if (tokens.length < 8) return null;
  const [ppid, pgid, state] = tokens as [string, string, string];
  const startTime = parsePsLstart(tokens.slice(3, 8).join(' '));
  if (!/^\d+$/.test(ppid) || !/^\d+$/.test(pgid) || startTime === null) return null;
  return {
    ppid: Number(ppid),
    pgid: Number(pgid),
    state,
    startTime,
    command: tokens.slice(8).join(' '),
  };
}
