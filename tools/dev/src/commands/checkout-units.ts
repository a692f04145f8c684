import { serviceLabel } from '../checkout/service-identity.js';
import { SERVICE_NAMES } from '../services/manifest.js';
import type { BackendName, Supervisor, UnitRef } from '../supervisor/supervisor.js';

/**
 * Every unit of `checkoutId` that `supervisor` holds: the ones its units folder names
 * (`listInstalled`), and the ones the backend itself still runs or registers for that id with the
 * id's marker in their environment (`listMachine`, as `pnpm status --all` reads them), so that a
 * deleted `.tmp/dev` hides nothing: systemd's unit files live outside it, launchd's jobs stay
 * loaded, the process keepers stay registered. With a unit file for every service there is nothing
 * more to find.
 */
export async function listCheckoutUnits(supervisor: Supervisor, checkoutId: string): Promise<UnitRef[]> {
  const installed = await supervisor.listInstalled(checkoutId);
  const known = new Set(installed.map((unit) => unit.label));
  // A label is the service's and the checkout's: with a unit file for every service, the backend
  // can hold no other unit of this checkout (the common stop asks no machine-wide question).
  if (SERVICE_NAMES.every((service) => known.has(serviceLabel(service, checkoutId)))) return installed;
  const machine = await supervisor.listMachine({ only: { checkoutId, known } }).catch(() => []);
  const units = new Map(installed.map((unit) => [unit.label, unit]));
  for (const unit of machine) {
    if (unit.checkoutId !== checkoutId || unit.marker !== checkoutId || units.has(unit.label)) continue;
    units.set(unit.label, {
      label: unit.label,
      service: unit.service,
      checkoutId,
      ...(unit.port === undefined ? {} : { port: unit.port }),
    });
  }
  return [...units.values()];
}

/**
 * The backend a checkout's services are installed on, found by the checkout's id in each of
 * `supervisors` (the first with a unit of it) with those units, or null when none holds one: what a
 * command without a ledger (`.tmp/dev` deleted) follows instead of guessing the platform's default.
 */
export async function findInstalledBackend(
  supervisors: readonly Supervisor[],
  checkoutId: string,
): Promise<{ readonly backend: BackendName; readonly units: readonly UnitRef[] } | null> {
  for (const supervisor of supervisors) {
    const units = await listCheckoutUnits(supervisor, checkoutId);
    if (units.length > 0) return { backend: supervisor.backend, units };
  }
  return null;
}
