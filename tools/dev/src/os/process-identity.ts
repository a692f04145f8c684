import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProcStat } from '@nexu/service-kit/proc-stat';
import { runCommand } from './command-runner.js';
import { parseLsofCwd } from './parse-lsof.js';
import { parsePsStat } from './parse-ps-stat.js';

/** Who a pid is right now: enough to tell it apart from a later process that reuses the pid. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly ppid: number;
  /** Process group id; equals `pid` when the process leads its group (spawned detached). */
  readonly pgid: number;
  /**
   * Opaque start time: Linux clock ticks since boot (`/proc/<pid>/stat` field 22), macOS
   * `ps -o lstart=`. Compare for equality only.
   */
  readonly startTime: string;
  /** Command line joined with spaces (for messages). */
  readonly command: string;
  /** Command line split into arguments (macOS: split on spaces, best effort). */
  readonly argv: readonly string[];
  /** Working directory, or null when it cannot be read (other user). */
  readonly cwd: string | null;
  /** `NEXU_DEV_INSTANCE` from the initial environment (Linux, same user only). */
  readonly instance?: string;
}

export interface ProcessIdentityOptions {
  /** Root of the proc filesystem (Linux); tests point it at a fake tree. Default `/proc`. */
  procRoot?: string;
}

interface ProcessStat {
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly startTime: string;
  /** Full command line (macOS, from the same `ps` call). */
  readonly command?: string;
}

const isMac = () => process.platform === 'darwin';

const readText = (path: string) => readFile(path, 'utf8').catch(() => null);

async function readLinuxStat(pid: number, procRoot: string): Promise<ProcessStat | null> {
  const text = await readText(join(procRoot, String(pid), 'stat'));
  return text ? parseProcStat(text) : null;
}

// -ww: never cut the command at the terminal width; LC_ALL=C keeps lstart in English.
async function readMacStat(pid: number): Promise<ProcessStat | null> {
  const result = await runCommand(
    ['/bin/ps', '-ww', '-o', 'ppid=,pgid=,stat=,lstart=,command=', '-p', String(pid)],
    { env: { ...process.env, LC_ALL: 'C' } },
  );
  return result.exitCode === 0 ? parsePsStat(result.stdout) : null;
}

async function readStat(pid: number, procRoot: string): Promise<ProcessStat | null> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  return isMac() ? readMacStat(pid) : readLinuxStat(pid, procRoot);
}

async function readMacCwd(pid: number): Promise<string | null> {
  const result = await runCommand(['/usr/sbin/lsof', '-a', '-p', String(pid), '-d', 'cwd', '-Fn']);
  return parseLsofCwd(result.stdout);
}

async function readLinuxInstance(pid: number, procRoot: string): Promise<string | undefined> {
  const environ = await readText(join(procRoot, String(pid), 'environ'));
  const entry = environ?.split('\0').find((e) => e.startsWith('NEXU_DEV_INSTANCE='));
  return entry?.slice('NEXU_DEV_INSTANCE='.length);
}

/** Whether `pid` exists and is not a zombie (a zombie still answers `kill -0` until reaped). */
export { isProcessAliveSync as isProcessAlive } from '@nexu/service-kit/proc-stat';

/**
 * Reads who `pid` is now; null when no such process exists or it is a zombie (sources per
 * platform: docs/platform.md, "Process identity").
 */
export async function processIdentity(
  pid: number,
  options: ProcessIdentityOptions = {},
): Promise<ProcessIdentity | null> {
  const procRoot = options.procRoot ?? '/proc';
  const stat = await readStat(pid, procRoot);
  if (!stat || stat.state.startsWith('Z')) return null;
  const base = { pid, ppid: stat.ppid, pgid: stat.pgid, startTime: stat.startTime };
  if (stat.command !== undefined) {
    const argv = stat.command.split(' ').filter(Boolean);
    return { ...base, command: stat.command, argv, cwd: await readMacCwd(pid) };
  }
  const dir = join(procRoot, String(pid));
  const cmdline = (await readText(join(dir, 'cmdline'))) ?? '';
  const argv = cmdline.split('\0').filter((arg, i, all) => arg !== '' || i < all.length - 1);
  const cwd = await readlink(join(dir, 'cwd')).catch(() => null);
  const instance = await readLinuxInstance(pid, procRoot);
  // Kernel threads have an empty cmdline: fall back to comm so messages still name something.
  const command = argv.length > 0 ? argv.join(' ') : (await readText(join(dir, 'comm')))?.trim() || '?';
  return { ...base, command, argv, cwd, ...(instance === undefined ? {} : { instance }) };
}
