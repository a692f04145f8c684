import { waitFor } from '@nexu/service-kit';
import { LOCAL_EVENT_POLL } from './local-event-poll.js';
import { isProcessAlive } from './process-identity.js';

export interface TerminateOptions {
  /** SIGTERM -> SIGKILL grace in ms (default 3 s). */
  graceMs?: number;
  /** How long to wait for the pid to vanish after SIGKILL (default 5 s). */
  killWaitMs?: number;
}

const signalGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
};

/**
 * Signals the process group led by `pid` with SIGTERM, then SIGKILL after the grace; resolves
 * true once `pid` is gone (not merely a zombie). Callers verify the pid is ours first.
 */
export async function terminateGroup(pid: number, options: TerminateOptions = {}): Promise<boolean> {
  if (!isProcessAlive(pid)) return true;
  signalGroup(pid, 'SIGTERM');
  const gone = async () => !isProcessAlive(pid);
  if ((await waitFor(gone, { ...LOCAL_EVENT_POLL, timeoutMs: options.graceMs ?? 3000 })).ok) return true;
  signalGroup(pid, 'SIGKILL');
  return (await waitFor(gone, { ...LOCAL_EVENT_POLL, timeoutMs: options.killWaitMs ?? 5000 })).ok;
}
