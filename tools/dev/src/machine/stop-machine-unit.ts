import type { MachineUnit } from '../supervisor/supervisor.js';
import { supervisorForRoot } from './machine-services.js';
import { verifyMachineUnit } from './verify-machine-unit.js';

export type StopMachineUnitResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Stops and uninstalls a unit found on the machine through its own backend, once
 * `verifyMachineUnit` proved it a nexu dev unit (with `orphan`: of a checkout gone from its root).
 */
export async function stopMachineUnit(
  unit: MachineUnit,
  options: { orphan: boolean },
): Promise<StopMachineUnitResult> {
  const verdict = await verifyMachineUnit(unit, { orphan: options.orphan });
  if (!verdict.ok) return verdict;
  // Verified above: the root is recorded.
  const supervisor = supervisorForRoot(unit.backend, unit.root!);
  try {
    await supervisor.uninstall(unit);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
