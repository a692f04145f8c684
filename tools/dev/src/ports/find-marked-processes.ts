import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FindMarkedProcessesOptions {
  /** Linux proc filesystem root (tests). Default `/proc`. */
  procRoot?: string;
}

/**
 * Pids whose initial environment carries `NEXU_DEV_INSTANCE=<checkoutId>` (Linux, same user only;
 * macOS cannot read other processes' environment: always empty there). Candidates only: pass
 * each through `verifyOwnership` before acting on it.
 */
export async function findMarkedProcesses(
  checkoutId: string,
  options: FindMarkedProcessesOptions = {},
): Promise<number[]> {
  if (process.platform === 'darwin') return [];
  const procRoot = options.procRoot ?? '/proc';
  const marker = `NEXU_DEV_INSTANCE=${checkoutId}`;
  const pids = (await readdir(procRoot).catch(() => [])).filter((name) => /^\d+$/.test(name));
  const marked: number[] = [];
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    const environ = await readFile(join(procRoot, pid, 'environ'), 'utf8').catch(() => '');
    if (environ.split('\0').includes(marker)) marked.push(Number(pid));
  }
  return marked;
}
