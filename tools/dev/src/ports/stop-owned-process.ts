import { waitFor } from '@nexu/service-kit';
import { LOCAL_EVENT_POLL } from '../os/local-event-poll.js';
import { isPortFree, waitForPortFree } from '../os/port-free.js';
import { isProcessAlive, processIdentity } from '../os/process-identity.js';
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
// Returns the errno when the signal could not be sent (EPERM: another user's process).
function signal(target: number, name: NodeJS.Signals | 0): string | undefined {
  try {
    process.kill(target, name);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'unknown error';
  }
}

// The pid may have exited and been reused since verification: compare the start time right
// before each signal, and never signal a process that is not the one we verified. A group whose
// leader is gone can still hold the port through its children; its id cannot be reused while
// any member lives, so signalling it stays safe.
async function resolveTarget(owned: OwnedProcess): Promise<number | 'nothing' | 'reused'> {
  const identity = await processIdentity(owned.pid);
  if (identity && identity.startTime !== owned.startTime) return 'reused';
  const leadsGroup = (identity?.pgid ?? owned.pgid) === owned.pid;
  if (identity) return leadsGroup ? -owned.pid : owned.pid;
  return leadsGroup && signal(-owned.pid, 0) !== 'ESRCH' ? -owned.pid : 'nothing';
}

/** Stops a verified process of ours: SIGTERM, then SIGKILL after the grace, until gone and its port free. */
export async function stopOwnedProcess(
  owned: OwnedProcess,
  options: StopOwnedProcessOptions = {},
): Promise<StopOwnedProcessResult> {
  if (!isIssuedHandle(owned)) {
    return { stopped: false, reason: `refusing to signal pid ${owned.pid}: not verified by verifyOwnership` };
  }
  const { port } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const done = async () => !isProcessAlive(owned.pid) && (port === undefined || (await isPortFree(port)));
  let sent: 'SIGTERM' | 'SIGKILL' | null = null;

  for (const name of ['SIGTERM', 'SIGKILL'] as const) {
    const target = await resolveTarget(owned);
    if (target === 'reused') {
      return { stopped: false, reason: `pid ${owned.pid} now belongs to another process; not signalled` };
    }
    if (target === 'nothing') break;
    const failed = signal(target, name);
    if (failed && failed !== 'ESRCH') {
      return { stopped: false, reason: `cannot send ${name} to pid ${owned.pid}: ${failed}` };
    }
    sent = name;
    const grace = name === 'SIGTERM' ? (options.graceMs ?? 3000) : timeoutMs;
    if ((await waitFor(done, { ...LOCAL_EVENT_POLL, timeoutMs: grace })).ok) break;
  }
  if (isProcessAlive(owned.pid)) {
    return { stopped: false, reason: `pid ${owned.pid} (${owned.command}) is still running after SIGKILL` };
  }
  if (port !== undefined && !(await waitForPortFree(port, { timeoutMs }))) {
    return { stopped: false, reason: `pid ${owned.pid} is gone but port ${port} is still busy` };
  }
  return { stopped: true, signal: sent };
}
