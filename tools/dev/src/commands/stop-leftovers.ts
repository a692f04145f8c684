import type { Checkout } from '../checkout/checkout.js';
import type { Reporter } from '../format/reporter.js';
import { findPortOwner } from '../os/port-owner.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import type { Ledger } from '../ports/ledger.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { stopOwnedProcess } from '../ports/stop-owned-process.js';
import { verifyOwnership } from '../ports/verify-ownership.js';
import type { ServiceName } from '../services/manifest.js';

/**
 * Stops processes of checkout `checkout.id` that no supervisor owns any more (e.g. from a crashed
 * run): holders of its ports or carriers of its marker, each verified ours first. With `only`
 * (a subset being stopped), just the holders of those services' ports: every service carries the
 * same marker, and the others keep running.
 */
export async function stopLeftovers(
  checkout: Checkout,
  ledger: Ledger | null,
  reporter: Reporter,
  only?: readonly ServiceName[],
): Promise<number[]> {
  const concerned = (name: string) => only === undefined || (only as readonly string[]).includes(name);
  const ports = new Set<number>([
    ...Object.entries(expectedPorts(checkout, null)).flatMap(([name, port]) =>
      concerned(name) ? [port] : [],
    ),
    ...Object.entries(ledger?.services ?? {}).flatMap(([name, s]) => (concerned(name) ? [s!.port] : [])),
  ]);
  const candidates = new Map<number, number | undefined>();
  for (const port of ports) {
    const owner = await findPortOwner(port);
    if (owner.status === 'listening') candidates.set(owner.pid, port);
  }
  if (only === undefined) {
    for (const pid of await findMarkedProcesses(checkout.id))
      if (!candidates.has(pid)) candidates.set(pid, undefined);
  }

  const stopped: number[] = [];
  for (const [pid, port] of candidates) {
    const verdict = await verifyOwnership(pid, { checkout, ledger, supervisorPids: [] });
    if (!verdict.ours) continue;
    const result = await stopOwnedProcess(verdict.process, port === undefined ? {} : { port });
    if (result.stopped) {
      stopped.push(pid);
      reporter.info(`Stopped leftover process ${pid}${port ? ` on port ${port}` : ''} of this checkout`);
    } else {
      reporter.warn(`Unable to stop leftover process ${pid}: ${result.reason}`);
    }
  }
  return stopped;
}
