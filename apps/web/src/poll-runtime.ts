import type { RuntimeInfo, RuntimeSnapshot } from './runtime-view.js';

/** Fetches `/api/runtime` once; a failure is a snapshot too. */
export async function fetchRuntime(): Promise<RuntimeSnapshot> {
  try {
    const response = await fetch('/api/runtime', { cache: 'no-store', signal: AbortSignal.timeout(2000) });
    if (!response.ok) return { up: false, reason: `HTTP ${response.status}` };
    return { up: true, runtime: (await response.json()) as RuntimeInfo };
  } catch {
    return { up: false, reason: 'no answer' };
  }
}

/** Polls `/api/runtime` every `intervalMs` and hands each snapshot to `onSnapshot`. */
export function pollRuntime(onSnapshot: (snapshot: RuntimeSnapshot) => void, intervalMs = 1000): void {
  const tick = async () => {
    onSnapshot(await fetchRuntime());
    setTimeout(tick, intervalMs);
  };
  void tick();
}
