import type { Checkout } from '../checkout/checkout.js';
import { parseServiceLabel } from '../checkout/service-identity.js';
import type { Reporter } from '../format/reporter.js';
import type { PreviousLocation } from '../ports/ledger.js';
import { serviceRank } from '../services/manifest.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { stopLeftovers } from './stop-leftovers.js';
import { teardownUnits } from './teardown.js';

/**
 * A checkout moved here: stops and uninstalls, in every backend, the units its previous location
 * installed (their labels carry the id it had there; `readLedger` checked no checkout lives there
 * now), then verified leftovers carrying that id. Returns the labels stopped.
 */
export async function stopPreviousLocation(
  checkout: Checkout,
  previous: PreviousLocation,
  reporter: Reporter,
  /** Every backend that can run here (`availableSupervisors`). */
  supervisors: readonly Supervisor[],
): Promise<string[]> {
  const units = (
    await Promise.all(supervisors.map((s) => teardownUnits(s, previous.checkoutId, reporter)))
  ).flat();
  // The previous location is this checkout: its marker and ledger prove its leftovers ours.
  await stopLeftovers({ ...checkout, id: previous.checkoutId }, previous.ledger, reporter);
  return units;
}

/** The one line saying what a moved checkout took back, e.g. after `pnpm start`. */
export function describeTakeover(
  previous: PreviousLocation,
  labels: readonly string[],
  ports: boolean,
): string {
  const what = labels.length === 1 ? 'the service' : `the ${labels.length} services`;
  const rank = (label: string) => serviceRank(parseServiceLabel(label)?.service ?? '');
  const sorted = [...labels].sort((a, b) => rank(a) - rank(b));
  const reuse = ports ? '; their ports are reused where free' : '';
  return `This checkout moved here from ${previous.root}: stopped ${what} it ran there (${sorted.join(', ')})${reuse}.`;
}
