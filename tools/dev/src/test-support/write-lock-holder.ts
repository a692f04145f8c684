import { writeFile } from 'node:fs/promises';

/** Writes a lock file naming `pid` (with its start time) as its holder, as a command would. */
export function writeLockHolder(
  lockPath: string,
  pid: number,
  startTime: string,
  command = 'pnpm start',
  brief?: boolean,
): Promise<void> {
  return writeFile(
    lockPath,
    JSON.stringify({ pid, startTime, command, at: new Date().toISOString(), ...(brief ? { brief } : {}) }),
  );
}
