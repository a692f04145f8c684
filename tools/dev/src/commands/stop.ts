import { existsSync } from 'node:fs';
import type { Checkout } from '../checkout/checkout.js';
import { acquireLock } from '../checkout/lock.js';
import type { Reporter } from '../format/reporter.js';
import { readLedger, removeLedger } from '../ports/ledger.js';
import { stopLeftovers } from './stop-leftovers.js';
import { describeTakeover, stopPreviousLocation } from './stop-previous-location.js';
import { availableSupervisors, supervisorsWithUnits, teardownUnits } from './teardown.js';

export interface StopReport {
  /** Labels of the units stopped and removed. */
  readonly units: readonly string[];
  /** Pids of leftover processes of this checkout that were stopped. */
  readonly orphans: readonly number[];
}

export interface StopOptions {
  readonly checkout: Checkout;
  readonly reporter: Reporter;
  /** What the lock names as its holder (a watching session tells who stopped it): `pnpm stop`. */
  readonly command?: string;
}

/**
 * `pnpm stop`: this checkout only. Uninstalls its units in every backend, stops verified orphans
 * of ours still holding our ports or carrying our marker, removes the ledger. A checkout moved here
 * also stops what its previous location ran (its ledger names it). Idempotent.
 */
export async function stopServices(options: StopOptions): Promise<StopReport> {
  const { checkout, reporter } = options;
  // Without a state folder (deleted by hand) there is no lock or ledger to honour, but the backends
  // may still run this checkout's services: they are found by the checkout's id all the same, and
  // no state folder is brought back for the lock.
  const lock = existsSync(checkout.stateDir)
    ? await acquireLock(checkout, { command: options.command ?? 'pnpm stop' })
    : null;
  try {
    const { ledger, previous } = await readLedger(checkout);
    // With a ledger and units folder, only a backend whose unit files name this checkout is asked.
    // Without them (`.tmp/dev` deleted, or a moved checkout whose previous location may be in any
    // backend) every backend is asked: launchd keeps its jobs loaded with no plist left to read.
    const supervisors =
      previous || ledger === null || !existsSync(checkout.unitsDir)
        ? await availableSupervisors(checkout)
        : await supervisorsWithUnits(checkout, undefined, { expected: ledger.backend });
    const units = (await Promise.all(supervisors.map((s) => teardownUnits(s, checkout.id, reporter)))).flat();
    const orphans = await stopLeftovers(checkout, ledger, reporter);
    if (previous) {
      const moved = await stopPreviousLocation(checkout, previous, reporter, supervisors);
      if (moved.length > 0) reporter.info(describeTakeover(previous, moved, false));
      units.push(...moved);
    }
    if (lock) await removeLedger(checkout);
    if (units.length === 0 && orphans.length === 0)
      reporter.info('Nothing to stop: no service of this checkout runs.');
    return { units, orphans };
  } finally {
    await lock?.release();
  }
}
