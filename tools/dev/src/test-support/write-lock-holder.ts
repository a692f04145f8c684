import { writeFile } from 'node:fs/promises';

/** Writes a lock file naming `pid` (with its start time) as its holder, as a command would. */
export function writeLockHolder(
  lockPath: string,
  holder: { pid: number; startTime: string; command?: string; brief?: boolean },
): Promise<void> {
  const { pid, startTime, command = 'pnpm start', brief } = holder;
  return writeFile(
    lockPath,
    JSON.stringify({ pid, startTime, command, at: new Date().toISOString(), ...(brief ? { brief } : {}) }),
  );
}
