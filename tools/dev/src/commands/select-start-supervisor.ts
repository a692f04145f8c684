import type { Checkout } from '../checkout/checkout.js';
import { readLedger } from '../ports/ledger.js';
import { type SelectSupervisorOptions, selectSupervisor } from '../supervisor/select-supervisor.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { BackendUnavailableError } from '../supervisor/supervisor-errors.js';
import { findInstalledBackend } from './checkout-units.js';
import { availableSupervisors } from './teardown.js';

/**
 * The supervisor `pnpm start` (and its dry run) runs on. A requested backend (`--backend`,
 * NEXU_DEV_BACKEND) wins, and is the only thing that moves running services to another backend.
 * Without one, start stays where the checkout's services run: the backend its ledger records
 * (a moved checkout's previous ledger), else the one holding units of its id (`.tmp/dev` deleted);
 * only when none does, or that backend cannot run any more (said in one line), the platform's
 * default.
 */
export async function selectStartSupervisor(
  options: Omit<SelectSupervisorOptions, 'checkout' | 'backend'> & {
    readonly checkout: Checkout;
    readonly backend: string | undefined;
  },
): Promise<Supervisor> {
  const env = options.env ?? process.env;
  if (options.backend || env.NEXU_DEV_BACKEND) return selectSupervisor(options);
  const { ledger, previous } = await readLedger(options.checkout);
  const current =
    (ledger ?? previous?.ledger)?.backend ??
    (await findInstalledBackend(await availableSupervisors(options.checkout), options.checkout.id))?.backend;
  if (current) {
    try {
      return await selectSupervisor({ ...options, backend: current });
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      options.onFallback?.(`The services ran on ${current}, which cannot run now: ${error.message}`);
    }
  }
  return selectSupervisor({ ...options, backend: undefined });
}
