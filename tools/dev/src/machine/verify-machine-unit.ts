import { checkoutIdFor } from '../checkout/checkout.js';
import { parseServiceLabel } from '../checkout/service-identity.js';
import { processIdentity } from '../os/process-identity.js';
import type { MachineUnit } from '../supervisor/supervisor.js';
import { isOrphaned, locateCheckout, type MachinePresence } from './machine-services.js';

export type VerifyMachineUnitResult =
  | { readonly ok: true; readonly presence: MachinePresence }
  | { readonly ok: false; readonly reason: string };

/**
 * Proves a unit found on the machine is a nexu dev unit to stop, checked again right before
 * stopping it: a `.dev` nexu label, the checkout marker in its environment naming the label's id,
 * a recorded root that hashes to that id, and a main pid (if any) carrying no other checkout's
 * marker. With `orphan`, its checkout must also be gone from that root (deleted or moved).
 */
export async function verifyMachineUnit(
  unit: MachineUnit,
  options: { orphan: boolean },
): Promise<VerifyMachineUnitResult> {
  const parsed = parseServiceLabel(unit.label);
  if (!parsed || parsed.checkoutId !== unit.checkoutId) {
    return { ok: false, reason: `${unit.label} is not a nexu dev label` };
  }
  if (unit.marker !== unit.checkoutId) {
    return { ok: false, reason: `its environment does not carry NEXU_DEV_INSTANCE=${unit.checkoutId}` };
  }
  if (unit.root === null || checkoutIdFor(unit.root) !== unit.checkoutId) {
    return { ok: false, reason: `its recorded checkout root does not belong to checkout ${unit.checkoutId}` };
  }
  const { presence } = await locateCheckout(unit);
  if (options.orphan && !isOrphaned({ presence })) {
    return { ok: false, reason: `its checkout still lives at ${unit.root}` };
  }
  if (unit.status.pid !== null) {
    const identity = await processIdentity(unit.status.pid);
    if (identity?.instance !== undefined && identity.instance !== unit.checkoutId) {
      return {
        ok: false,
        reason: `its main pid ${unit.status.pid} belongs to nexu dev instance ${identity.instance}, not ${unit.checkoutId}`,
      };
    }
  }
  return { ok: true, presence };
}
