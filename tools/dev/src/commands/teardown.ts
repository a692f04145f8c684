import type { Checkout } from '../checkout/checkout.js';
import type { Reporter } from '../format/reporter.js';
import {
  createSupervisor,
  type SelectSupervisorOptions,
  selectSupervisor,
} from '../supervisor/select-supervisor.js';
import { BACKEND_NAMES, type BackendName, type Supervisor, type UnitRef } from '../supervisor/supervisor.js';
import { listCheckoutUnits } from './checkout-units.js';

/**
 * Stops and uninstalls every unit of this checkout that `supervisor` holds: found by the checkout's
 * id, also when its units folder is gone (see `listCheckoutUnits`); with `installedOnly`, only what
 * the backend's own unit files and registry name (a start's teardown of the other backends, on
 * every start: no machine-wide query).
 */
export async function teardownUnits(
  supervisor: Supervisor,
  checkoutId: string,
  reporter: Reporter,
  options: { installedOnly?: boolean } = {},
): Promise<string[]> {
  const units = options.installedOnly
    ? await supervisor.listInstalled(checkoutId)
    : await listCheckoutUnits(supervisor, checkoutId);
  await Promise.all(
    units.map(async (unit) => {
      await supervisor.uninstall(unit);
      reporter.info(`Stopped ${unit.service} (${unit.label})`);
    }),
  );
  return units.map((unit) => unit.label);
}

/** Every backend that can run here, each as a supervisor (unreachable ones are left out). */
export async function availableSupervisors(
  checkout: Checkout,
  backends: readonly BackendName[] = BACKEND_NAMES,
  options: Pick<SelectSupervisorOptions, 'runner' | 'platform'> = {},
): Promise<Supervisor[]> {
  const found = await Promise.all(
    backends.map((backend) => selectSupervisor({ ...options, backend, checkout }).catch(() => undefined)),
  );
  return found.filter((supervisor): supervisor is Supervisor => supervisor !== undefined);
}

/**
 * The backends among `backends` holding units of this checkout, each with its supervisor. The unit
 * files are read first (a folder listing, no supervisor asked); only a backend that holds some is
 * preflighted: a start or stop on one backend does not ask the others' managers every time.
 */
export async function supervisorsWithUnits(
  checkout: Checkout,
  backends: readonly BackendName[] = BACKEND_NAMES,
  options: Pick<SelectSupervisorOptions, 'runner' | 'platform'> & {
    /** The backend the ledger names: preflighted while the unit files are read, not after. */
    readonly expected?: BackendName;
  } = {},
): Promise<Supervisor[]> {
  const { expected, ...select } = options;
  const found = await Promise.all(
    backends.map(async (backend) => {
      const preflighted =
        backend === expected
          ? selectSupervisor({ ...select, backend, checkout }).catch(() => undefined)
          : null;
      const units = await createSupervisor(backend, { ...select, checkout })
        .listInstalled(checkout.id)
        .catch(() => []);
      if (units.length === 0) return undefined;
      return preflighted ?? selectSupervisor({ ...select, backend, checkout }).catch(() => undefined);
    }),
  );
  return found.filter((supervisor): supervisor is Supervisor => supervisor !== undefined);
}

/** This checkout's units installed in every backend but `current` (what a start would tear down). */
export async function listOtherBackendUnits(
  checkout: Checkout,
  current: BackendName,
  options: Pick<SelectSupervisorOptions, 'runner' | 'platform'> = {},
): Promise<Array<{ backend: BackendName; unit: UnitRef }>> {
  const others = await supervisorsWithUnits(
    checkout,
    BACKEND_NAMES.filter((backend) => backend !== current),
    options,
  );
  const found = await Promise.all(
    others.map(async (s) =>
      (await s.listInstalled(checkout.id)).map((unit) => ({ backend: s.backend, unit })),
    ),
  );
  return found.flat();
}

/**
 * Tears down this checkout's units in every backend but `current`: after a switch of backend the
 * old supervisor would otherwise keep (and restart) services holding our ports.
 */
export async function teardownOtherBackends(
  checkout: Checkout,
  current: BackendName,
  reporter: Reporter,
): Promise<string[]> {
  // The current backend passed its preflight already; the others are asked only when they hold units.
  const others = await supervisorsWithUnits(
    checkout,
    BACKEND_NAMES.filter((backend) => backend !== current),
  );
  const stopped = await Promise.all(
    others.map((s) => teardownUnits(s, checkout.id, reporter, { installedOnly: true })),
  );
  return stopped.flat();
}
