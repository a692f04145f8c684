import { waitFor } from '../health/wait-for.js';
import { waitForPortFree } from './port-free.js';
import { isProcessAlive, processIdentity } from './process-identity.js';
import { isIssuedHandle, type OwnedProcess } from './verify-ownership.js';

export interface StopOwnedProcessOptions {
  /** Also wait until this TCP port can be bound again. */
  port?: number;
  /** How long SIGTERM gets before SIGKILL (default 3000 ms). */
  graceMs?: number;
  /** How long to wait after SIGKILL, and for the port (default 5000 ms each). */
  timeoutMs?: number;
}

export type StopOwnedProcessResult =
  | { readonly stopped: true; readonly signal: 'SIGTERM' | 'SIGKILL' | null }
  | { readonly stopped: false; readonly reason: string };

// Signal the whole group when the process leads one (spawned detached): its children go with it.
function signal(owned: OwnedProcess, pgid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pgid === owned.pid ? -owned.pid : owned.pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

// The pid may have exited and been reused since verification: compare the start time right
// before each signal, and never signal a process that is not the one we verified.
async function currentPgid(owned: OwnedProcess): Promise<number | 'gone' | 'reused'> {
  const identity = await processIdentity(owned.pid);
  if (!identity) return 'gone';
  return identity.startTime === owned.startTime ? identity.pgid : 'reused';
}

/** Stops a verified process of ours: SIGTERM, then SIGKILL after the grace, until gone and its port free. */
export async function stopOwnedProcess(
  owned: OwnedProcess,
  options: StopOwnedProcessOptions = {},
): Promise<StopOwnedProcessResult> {
  if (!isIssuedHandle(owned)) {
    return { stopped: false, reason: `refusing to signal pid ${owned.pid}: not verified by verifyOwnership` };
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const gone = (ms: number) => waitFor(async () => !(await isProcessAlive(owned.pid)), { timeoutMs: ms });
  const portFree = async () => options.port === undefined || waitForPortFree(options.port, { timeoutMs });
  let sent: 'SIGTERM' | 'SIGKILL' | null = null;

  for (const name of ['SIGTERM', 'SIGKILL'] as const) {
    const pgid = await currentPgid(owned);
    if (pgid === 'reused') {
      return { stopped: false, reason: `pid ${owned.pid} now belongs to another process; not signalled` };
    }
    if (pgid === 'gone') break;
    signal(owned, pgid, name);
    sent = name;
    if ((await gone(name === 'SIGTERM' ? (options.graceMs ?? 3000) : timeoutMs)).ok) break;
  }
  if (await isProcessAlive(owned.pid)) {
    return { stopped: false, reason: `pid ${owned.pid} (${owned.command}) is still running after SIGKILL` };
  }
  if (!(await portFree())) {
    return { stopped: false, reason: `pid ${owned.pid} is gone but port ${options.port} is still busy` };
  }
  return { stopped: true, signal: sent };
}
