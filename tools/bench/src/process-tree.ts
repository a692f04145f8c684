import { readdir, readFile } from 'node:fs/promises';
import { parseProcStat } from '@nexu/dev';

/** CPU time and memory of a set of processes and all their descendants, read from /proc. */
export interface TreeUsage {
  /** Every live pid counted (roots and descendants). */
  readonly pids: readonly number[];
  /** utime + stime of those processes, in ms (children already reaped are not included). */
  readonly cpuMs: number;
  /** utime + stime per pid, in ms (to diff two readings of a tree whose members change). */
  readonly cpuMsByPid: ReadonlyMap<number, number>;
  /** Sum of VmRSS, in MB (shared pages are counted once per process, as `ps` does). */
  readonly rssMb: number;
}

interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
  readonly ticks: number;
}

// USER_HZ is 100 on every Linux we run on (getconf CLK_TCK); /proc reports ticks of 1/USER_HZ s.
const MS_PER_TICK = 10;

async function readEntry(pid: number): Promise<ProcEntry | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  const stat = text ? parseProcStat(text) : null;
  return stat ? { pid, ppid: stat.ppid, state: stat.state, ticks: stat.cpuTicks } : null;
}

async function readAllEntries(): Promise<ProcEntry[]> {
  const names = await readdir('/proc');
  const entries = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readEntry(Number(n))));
  return entries.filter((e): e is ProcEntry => e !== null && e.state !== 'Z');
}

/** `roots` and every live (non-zombie) descendant of them. */
export async function listProcessTree(roots: readonly number[]): Promise<number[]> {
  const entries = await readAllEntries();
  const children = new Map<number, number[]>();
  for (const e of entries) children.set(e.ppid, [...(children.get(e.ppid) ?? []), e.pid]);
  const live = new Set(entries.map((e) => e.pid));
  const found = new Set<number>();
  const stack = roots.filter((pid) => live.has(pid));
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (found.has(pid)) continue;
    found.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...found];
}

async function readRssKb(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/** Parent pid of `pid`, when it is alive. */
export async function readParentPid(pid: number): Promise<number | undefined> {
  return (await readEntry(pid))?.ppid;
}

/** Command line of `pid` joined with spaces ('' when gone). */
export async function readCommandLine(pid: number): Promise<string> {
  const text = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return text.split('\0').join(' ').trim();
}

/** CPU time so far and current RSS of `roots` and their descendants. */
export async function readTreeUsage(roots: readonly number[]): Promise<TreeUsage> {
  const pids = await listProcessTree(roots);
  const entries = await Promise.all(pids.map(readEntry));
  const rss = await Promise.all(pids.map(readRssKb));
  const cpuMsByPid = new Map(entries.filter((e) => e !== null).map((e) => [e.pid, e.ticks * MS_PER_TICK]));
  const cpuMs = [...cpuMsByPid.values()].reduce((a, b) => a + b, 0);
  return { pids, cpuMs, cpuMsByPid, rssMb: rss.reduce((a, b) => a + b, 0) / 1024 };
}

/** CPU ms spent between two readings: per pid, new processes counted in full, exited ones not at all. */
export function cpuMsBetween(before: TreeUsage, after: TreeUsage): number {
  let total = 0;
  for (const [pid, ms] of after.cpuMsByPid) total += ms - (before.cpuMsByPid.get(pid) ?? 0);
  return total;
}

/** Whether `pid` is still a live process (a zombie counts as gone). */
export async function isPidLive(pid: number): Promise<boolean> {
  const entry = await readEntry(pid);
  return entry !== null && entry.state !== 'Z';
}

/** Pids whose initial environment carries `NEXU_DEV_INSTANCE=<instance>` (our marker). */
export async function findPidsWithInstance(instance: string): Promise<number[]> {
  const marker = `NEXU_DEV_INSTANCE=${instance}`;
  const names = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
  const hits = await Promise.all(
    names.map(async (name) => {
      const env = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
      return env.split('\0').includes(marker) && (await isPidLive(Number(name))) ? Number(name) : null;
    }),
  );
  return hits.filter((pid): pid is number => pid !== null);
}
