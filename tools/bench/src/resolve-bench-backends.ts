import { type BackendName, type Checkout, createSupervisor } from '@nexu/dev';

/**
 * The backends of ours to measure: the one asked for (it must pass its preflight), else every
 * backend that can run here (process always; systemd or launchd when reachable).
 */
export async function resolveBenchBackends(
  asked: BackendName | undefined,
  checkout: Checkout,
  log: (line: string) => void,
): Promise<BackendName[]> {
  const candidates: BackendName[] = asked
    ? [asked]
    : ['process', process.platform === 'darwin' ? 'launchd' : 'systemd'];
  const usable: BackendName[] = [];
  for (const backend of candidates) {
    const preflight = await createSupervisor(backend, { checkout }).preflight();
    if (preflight.ok) usable.push(backend);
    else if (asked) throw new Error(`The ${backend} backend cannot run here: ${preflight.reason}`);
    else log(`skipping the ${backend} backend: ${preflight.reason}`);
  }
  return usable;
}
