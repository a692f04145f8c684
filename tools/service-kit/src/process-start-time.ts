import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * Opaque start time of `pid`, to tell it apart from a later process that reuses the pid: Linux clock
 * ticks since boot (`/proc/<pid>/stat` field 22, counted after the last `)` since the command name
 * may contain spaces and parentheses), macOS `ps -o lstart=` (in English: `LC_ALL=C`). Compare for
 * equality only, with a value this same function produced. Null when the process is gone or the
 * platform has neither source.
 */
export async function processStartTime(pid: number): Promise<string | null> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  if (process.platform === 'darwin') {
    return new Promise((resolve) => {
      execFile(
        '/bin/ps',
        ['-o', 'lstart=', '-p', String(pid)],
        { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
        (error, stdout) => resolve(error ? null : stdout.trim().split(/\s+/).join(' ') || null),
      );
    });
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  const close = stat.lastIndexOf(')');
  // Fields after the command name start at field 3; the start time is field 22.
  const startTime = close < 0 ? undefined : stat.slice(close + 2).split(' ')[22 - 3];
  return startTime ?? null;
}

/** Whether `pid` exists (a process of another user counts: `kill -0` answers EPERM for it). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
