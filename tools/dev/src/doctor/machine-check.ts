import { isOrphaned } from '../machine/machine-services.js';
import { renderOrphanHint } from '../machine/orphan-hint.js';
import { type CheckResult, type DoctorCheck, ok, warn } from './doctor-check.js';

/** How close another checkout's port may be to ours to be worth naming. */
const NEAR = 10;

/**
 * The machine: services of deleted or moved checkouts (the orphan hint of start and status), and
 * other live checkouts' services on ports near the ones the next start would use.
 */
export const machineCheck: DoctorCheck = {
  id: 'machine',
  async run({ machine, preview }) {
    const [{ services, problems }, { plan }] = await Promise.all([machine(), preview()]);
    const lines: CheckResult[] = problems.map((problem) => warn('machine.problem', problem, null));
    const hint = renderOrphanHint(services);
    lines.push(
      hint
        ? warn('machine.orphans', hint.slice(0, hint.lastIndexOf(':')), 'pnpm stop --orphans')
        : ok('machine.orphans', 'no service of a deleted or moved checkout remains'),
    );
    const ours = Object.values(plan.ports);
    const near = services.filter(
      (s) =>
        !isOrphaned(s) &&
        s.unit.status.pid !== null &&
        s.unit.port !== undefined &&
        ours.some((port) => Math.abs(port - s.unit.port!) <= NEAR),
    );
    const roots = [...new Set(near.map((s) => `${s.unit.root ?? s.unit.checkoutId} (${s.unit.port})`))];
    lines.push(
      near.length === 0
        ? ok('machine.neighbours', `no other checkout runs near ports ${ours.join(', ')}`)
        : ok('machine.neighbours', `other checkouts run near ours: ${roots.join(', ')}`),
    );
    return lines;
  },
};
