/** 1-based field numbers of `/proc/<pid>/stat` (proc(5)). */
export declare const STAT_FIELD: Readonly<{
  state: 3;
  ppid: 4;
  pgrp: 5;
  utime: 14;
  stime: 15;
  startTime: 22;
}>;

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
export declare function parseProcStat(text: string): ProcStat | null;
/** Reads and parses `/proc/<pid>/stat` (Linux); null when the process does not exist. */
export declare function readProcStatSync(pid: number, procRoot?: string): ProcStat | null;
/** `ps -o lstart=` output with blanks collapsed; null when it is not an lstart. */
export declare function parsePsLstart(text: string): string | null;
/** Opaque start time of `pid` (Linux stat field 22, macOS `ps -o lstart=`); null when it is gone. */
export declare function processStartTimeSync(pid: number): string | null;
/** Whether `pid` exists and is not a zombie. */
export declare function isProcessAliveSync(pid: number): boolean;
