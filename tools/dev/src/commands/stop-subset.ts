import { existsSync } from 'node:fs';
import type { Checkout } from '../checkout/checkout.js';
import { acquireLock } from '../checkout/lock.js';
import type { Reporter } from '../format/reporter.js';
import { readLedger, removeLedger, writeLedger } from '../ports/ledger.js';
import type { ServiceName } from '../services/manifest.js';
import { dependentsOf } from '../services/service-closure.js';
import { stopLeftovers } from './stop-leftovers.js';
import { availableSupervisors } from './teardown.js';

export interface StopSubsetOptions {
  readonly checkout: Checkout;
  /** The services to stop (already validated); the others keep running. */
  readonly services: readonly ServiceName[];
  readonly reporter: Reporter;
}

/**
 * `pnpm stop SERVICE...`: stops and uninstalls only these services (in every backend), stops
 * verified leftovers of ours on their ports, and takes them out of the ledger (the ledger goes
 * when nothing is left in it). Running services that depend on a stopped one are left running,
 * with a warning naming them. Idempotent.
 */
export async function stopServiceSubset(options: StopSubsetOptions): Promise<{ units: string[] }> {
  const { checkout, reporter, services } = options;
  if (!existsSync(checkout.stateDir)) {
    reporter.info('Nothing to stop: this checkout has no dev state.');
    return { units: [] };
  }
  const lock = await acquireLock(checkout, { command: 'pnpm stop' });
  try {
    const { ledger } = await readLedger(checkout);
    const supervisors = await availableSupervisors(checkout);
    const units: string[] = [];
    const runningDependents = new Set<ServiceName>();
    const dependents = dependentsOf(services).map((s) => s.name);
    for (const supervisor of supervisors) {
      const installed = await supervisor.listInstalled(checkout.id);
      await Promise.all(
        installed.map(async (unit) => {
          const name = unit.service as ServiceName;
          if (services.includes(name)) {
            await supervisor.uninstall(unit);
            reporter.info(`Stopped ${unit.service} (${unit.label})`);
            units.push(unit.label);
          } else if (dependents.includes(name)) {
            const status = await supervisor.status(unit);
            if (status.state === 'running' || status.state === 'starting') runningDependents.add(name);
          }
        }),
      );
    }
    const orphans = await stopLeftovers(checkout, ledger, reporter, services);
    if (ledger) {
      const left = Object.fromEntries(
        Object.entries(ledger.services).filter(([name]) => !services.includes(name as ServiceName)),
      );
      if (Object.keys(left).length === 0) await removeLedger(checkout);
      else await writeLedger(checkout, { ...ledger, updatedAt: new Date().toISOString(), services: left });
    }
    if (runningDependents.size > 0) {
      const names = [...runningDependents].sort((a, b) => dependents.indexOf(a) - dependents.indexOf(b));
      const verb = names.length === 1 ? 'depends' : 'depend';
      reporter.warn(
        `${names.join(', ')} ${verb} on ${services.join(', ')} and keep${names.length === 1 ? 's' : ''} running (reconnecting when it is back): \`pnpm stop ${[...services, ...names].join(' ')}\` stops ${names.length === 1 ? 'it' : 'them'} too.`,
      );
    }
    if (units.length === 0 && orphans.length === 0)
      reporter.info(
        `Nothing to stop: ${services.join(', ')} ${services.length === 1 ? 'does' : 'do'} not run.`,
      );
    return { units };
  } finally {
    await lock.release();
  }
}
