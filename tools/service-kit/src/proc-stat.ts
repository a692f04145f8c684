// The one reader of a process's state and start time (the CLI, the process keeper, the fake
// launchctl of the tests). Linux: `/proc/<pid>/stat` (proc(5)); macOS: `ps -o stat=,lstart=` (no /proc there).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * 1-based field numbers of `/proc/<pid>/stat` (proc(5)). Field 2 (comm) is in parentheses and may
 * itself contain spaces and ')', so fields are counted from after the LAST ')' (field 3 onwards).
 */
export const STAT_FIELD = Object.freeze({ state: 3, ppid: 4, pgrp: 5, utime: 14, stime: 15, startTime: 22 });

/** What `/proc/<pid>/stat` says of a process. */
export interface ProcStat {
  /** One letter: R, S, D, Z (zombie), T, ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  /** utime + stime in clock ticks. */
  readonly cpuTicks: number;
  /** Clock ticks since boot, as text (compare for equality only). */
  readonly startTime: string;
}

/** Parses the text of `/proc/<pid>/stat`; null when it is not one. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const field = (n: number) => fields[n - STAT_FIELD.state];
  const state = field(STAT_FIELD.state);
  const startTime = field(STAT_FIELD.startTime);
  if (!state || startTime === undefined) return null;
  return {
    state,
    ppid: Number(field(STAT_FIELD.ppid)),
    pgid: Number(field(STAT_FIELD.pgrp)),
    cpuTicks: Number(field(STAT_FIELD.utime)) + Number(field(STAT_FIELD.stime)),
    startTime,
  };
}

/** Reads and parses `/proc/<pid>/stat` (Linux); null when the process does not exist. */
export function readProcStatSync(pid: number, procRoot = '/proc'): ProcStat | null {
  try {
    return parseProcStat(readFileSync(join(procRoot, String(pid), 'stat'), 'utf8'));
  } catch {
    return null;
  }
}

/** `ps` output of one pid on macOS (`LC_ALL=C`: lstart in English), or null. */
function psSync(pid: number, fields: string): string | null {
  try {
    return (
      execFileSync('/bin/ps', ['-o', fields, '-p', String(pid)], {
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || null
    );
  } catch {
    return null;
  }
}

/**
 * Normalises `ps -o lstart=` output (`Mon May  5 15:14:23 2026`, C locale) to single blanks; null
 * when it is not five tokens ending in a year.
 */
export function parsePsLstart(text: string): string | null {
  const tokens = String(text).trim().split(/\s+/);
  if (tokens.length !== 5 || !/^\d{2}:\d{2}:\d{2}$/.test(tokens[3]!) || !/^\d{4}$/.test(tokens[4]!))
    return null;
  return tokens.join(' ');
}

/**
 * Opaque start time of `pid`, for telling it apart from a later process that reuses the pid:
 * Linux clock ticks since boot (stat field 22), macOS `ps -o lstart=`. Null when it is gone.
 */
export function processStartTimeSync(pid: number): string | null {
  if (process.platform === 'darwin') return parsePsLstart(psSync(pid, 'lstart=') ?? '');
  return readProcStatSync(pid)?.startTime ?? null;
}

/** Whether `pid` exists and is not a zombie (a zombie still answers `kill -0` until reaped). */
export function isProcessAliveSync(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = process.platform === 'darwin' ? psSync(pid, 'stat=') : readProcStatSync(pid)?.state;
  // No answer although kill -0 saw it: it ended in between, or /proc is hidden (then trust kill).
  if (state == null) return process.platform !== 'linux' && process.platform !== 'darwin';
  return !state.startsWith('Z');
}

/**
 * Whether the process recorded as `pid` with `startTime` still runs: alive, not a zombie, and not a
 * later process that reuses the pid (a null start time trusts the pid).
 */
export function isSameProcessSync(pid: number, startTime: string | null): boolean {
  return isProcessAliveSync(pid) && (startTime === null || processStartTimeSync(pid) === startTime);
}
