import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutAt, checkoutIdFor, ROOT_MARKER } from '../checkout/checkout.js';
import { type CheckoutPresence, checkoutPresence } from '../checkout/checkout-presence.js';
import { processIdentity } from '../os/process-identity.js';
import { findService, serviceRank } from '../services/manifest.js';
import { createSupervisor, type SelectSupervisorOptions } from '../supervisor/select-supervisor.js';
import {
  BACKEND_NAMES,
  type BackendName,
  type MachineUnit,
  type Supervisor,
} from '../supervisor/supervisor.js';

/** Where a unit's checkout stands; `unknown` when the unit does not say consistently (never an orphan). */
export type MachinePresence = CheckoutPresence | 'unknown';

/** One nexu dev unit found on the machine, with where its checkout stands now. */
export interface MachineService {
  readonly unit: MachineUnit;
  readonly presence: MachinePresence;
  /** Where a moved checkout went, when its running process tells (its working directory); else null. */
  readonly movedTo: string | null;
}

export interface ListMachineServicesOptions {
  /** Backends to ask (default: all three; one that cannot run here lists nothing). */
  readonly backends?: readonly BackendName[];
  /** Leave out this checkout id's units. */
  readonly except?: string;
  /** How the backends are asked (default: the machine's own commands and platform). */
  readonly ask?: Pick<SelectSupervisorOptions, 'runner' | 'platform'>;
}

/** The supervisor of `backend` for the checkout recorded at `root` (its units folder, wherever that is now). */
export function supervisorForRoot(
  backend: BackendName,
  root: string,
  ask: Pick<SelectSupervisorOptions, 'runner' | 'platform'> = {},
): Supervisor {
  return createSupervisor(backend, { ...ask, checkout: { unitsDir: checkoutAt(root).unitsDir } });
}

/**
 * Where the checkout of a machine unit stands: live, deleted or moved, `unknown` when the unit's
 * marker or recorded root does not match its label's id. A root that is gone while the unit's
 * process still works in a folder that exists was moved there (Linux reads `/proc/<pid>/cwd`, which
 * follows a rename and ends in ` (deleted)` after a removal: docs/platform.md, "Process identity").
 */
export async function locateCheckout(unit: MachineUnit): Promise<Omit<MachineService, 'unit'>> {
  const { root, checkoutId } = unit;
  if (root === null || unit.marker !== checkoutId || checkoutIdFor(root) !== checkoutId) {
    return { presence: 'unknown', movedTo: null };
  }
  const presence = checkoutPresence(root, checkoutId);
  if (presence !== 'deleted' || unit.status.pid === null) return { presence, movedTo: null };
  const cwd = (await processIdentity(unit.status.pid))?.cwd;
  if (!cwd || cwd.endsWith(' (deleted)') || !existsSync(cwd)) return { presence, movedTo: null };
  // The service runs in <root>/<its package folder>; what stands before that folder is the new root.
  const dir = findService(unit.service)?.dir ?? '';
  const movedTo = dir && cwd.endsWith(`/${dir}`) ? cwd.slice(0, -dir.length - 1) : cwd;
  return { presence: 'moved', movedTo: existsSync(join(movedTo, ROOT_MARKER)) ? movedTo : null };
}

/**
 * Every nexu dev unit every backend holds on this machine (launchd jobs, systemd user units,
 * registered process keepers), each with where its checkout stands. A backend that cannot be
 * asked is reported in `problems` and lists nothing.
 */
export async function listMachineServices(
  options: ListMachineServicesOptions = {},
): Promise<{ services: MachineService[]; problems: string[] }> {
  const problems: string[] = [];
  const listed = await Promise.all(
    (options.backends ?? BACKEND_NAMES).map((backend) =>
      // listMachine reads no units folder: any root does.
      supervisorForRoot(backend, '/', options.ask)
        .listMachine(options.except ? { except: options.except } : {})
        .catch((error: Error) => {
          problems.push(`Unable to list the ${backend} backend's units: ${error.message}`);
          return [];
        }),
    ),
  );
  const units = listed
    .flat()
    .sort(
      (a, b) =>
        a.checkoutId.localeCompare(b.checkoutId) ||
        a.backend.localeCompare(b.backend) ||
        serviceRank(a.service) - serviceRank(b.service) ||
        a.label.localeCompare(b.label),
    );
  const services = await Promise.all(units.map(async (unit) => ({ unit, ...(await locateCheckout(unit)) })));
  return { services, problems };
}

/** Whether a machine service belongs to a checkout that is gone from where it was. */
export function isOrphaned(service: Pick<MachineService, 'presence'>): boolean {
  return service.presence === 'deleted' || service.presence === 'moved';
}
