import { existsSync } from 'node:fs';
import type { Checkout } from '../checkout/checkout.js';
import { acquireLock } from '../checkout/lock.js';
import type { Reporter } from '../format/reporter.js';
import { findPortOwner } from '../os/port-owner.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import { type Ledger, readLedger, removeLedger } from '../ports/ledger.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { stopOwnedProcess } from '../ports/stop-owned-process.js';
import { verifyOwnership } from '../ports/verify-ownership.js';
import { availableSupervisors, teardownUnits } from './teardown.js';

export interface StopReport {
  /** Labels of the units stopped and removed. */
  readonly units: readonly string[];
  /** Pids of leftover processes of this checkout that were stopped. */
  readonly orphans: readonly number[];
}

/**
 * `pnpm stop`: this checkout only. Uninstalls its units in every backend, stops verified orphans
 * of ours still holding our ports or carrying our marker, removes the ledger. Idempotent.
 */
export async function stopServices(options: { checkout: Checkout; reporter: Reporter }): Promise<StopReport> {
  const { checkout, reporter } = options;
  if (!existsSync(checkout.stateDir)) {
    reporter.info('Nothing to stop: this checkout has no dev state.');
    return { units: [], orphans: [] };
  }
  const lock = await acquireLock(checkout, { command: 'pnpm stop' });
  try {
    const { ledger } = await readLedger(checkout);
    const supervisors = await availableSupervisors(checkout);
    const units = (await Promise.all(supervisors.map((s) => teardownUnits(s, checkout.id, reporter)))).flat();
    const orphans = await stopOrphans(checkout, ledger, reporter);
    await removeLedger(checkout);
    if (units.length === 0 && orphans.length === 0)
      reporter.info('Nothing to stop: no service of this checkout runs.');
    return { units, orphans };
  } finally {
    await lock.release();
  }
}

/** Stops processes of this checkout that no supervisor owns any more (e.g. from a crashed run). */
async function stopOrphans(checkout: Checkout, ledger: Ledger | null, reporter: Reporter): Promise<number[]> {
  const ports = new Set<number>([
    ...Object.values(expectedPorts(checkout, null)),
    ...Object.values(ledger?.services ?? {}).map((s) => s!.port),
  ]);
  const candidates = new Map<number, number | undefined>();
  for (const port of ports) {
    const owner = await findPortOwner(port);
    if (owner.status === 'listening') candidates.set(owner.pid, port);
  }
  for (const pid of await findMarkedProcesses(checkout.id))
    if (!candidates.has(pid)) candidates.set(pid, undefined);

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
