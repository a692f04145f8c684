import { isPortFree } from '@nexu/dev';
import { waitFor } from '@nexu/service-kit';
import { isPidLive, listProcessTree } from './process-tree.js';
import type { RunningTool } from './tool-driver.js';
import { TIMED_POLL_MS } from './wait-for-services.js';

export type TeardownResult =
  | { readonly ok: true; readonly ms: number; readonly pids: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Times the tool's teardown until it is really done: every process of the tool and its services
 * (as seen just before) is gone, and every service port can be bound again. Processes meant to
 * outlive the teardown (the PM2 daemon) are left out.
 */
export async function measureTeardown(
  running: RunningTool,
  servicePids: readonly number[],
  timeoutMs: number,
): Promise<TeardownResult> {
  const survivors = new Set((await running.survivors?.()) ?? []);
  const tree = await listProcessTree([...(await running.roots()), ...servicePids]);
  const pids = tree.filter((pid) => !survivors.has(pid));
  const ports = Object.values(running.ports);
  const began = performance.now();
  await running.teardown();
  const done = await waitFor(
    async () => {
      for (const pid of pids) if (await isPidLive(pid)) return false;
      for (const port of ports) if (!(await isPortFree(port))) return false;
      return true;
    },
    { timeoutMs, intervalMs: TIMED_POLL_MS, maxIntervalMs: TIMED_POLL_MS },
  );
  if (!done.ok) {
    const live = (await Promise.all(pids.map(async (p) => ((await isPidLive(p)) ? p : null)))).filter(
      Boolean,
    );
    return { ok: false, reason: `still running after ${timeoutMs} ms: pids ${live.join(' ') || '-'}` };
  }
  return { ok: true, ms: performance.now() - began, pids: pids.length };
}
