import { classifyNodeInstall } from '../os/node-identity.js';
import { processIdentity } from '../os/process-identity.js';
import { type CheckResult, type DoctorCheck, ok, warn } from './doctor-check.js';
import { realPathOf } from './doctor-context.js';

/**
 * Whether services that run now run another node than a unit would run now (compared by real
 * path): the next `pnpm start` replaces them (their unit's argv changed).
 */
export const nodeUnitsCheck: DoctorCheck = {
  id: 'node.units',
  async run({ preview, nodePath }) {
    const { facts } = await preview();
    const wanted = realPathOf(nodePath);
    const running = facts.services.filter((s) => s.status.pid !== null);
    if (running.length === 0) return ok(this.id, 'no service of this checkout runs');
    const others = (
      await Promise.all(
        running.map(async (service) => {
          const argv0 = (await processIdentity(service.status.pid!))?.argv[0];
          const real = argv0 ? realPathOf(argv0) : null;
          return real && real !== wanted && service.drift?.includes('argv') ? { service, real } : null;
        }),
      )
    ).filter((found) => found !== null);
    if (others.length === 0) return ok(this.id, `running services use this node (${nodePath})`);
    return others.map(
      ({ service, real }): CheckResult =>
        warn(
          `${this.id}.${service.spec.name}`,
          `${service.spec.name} runs ${real} (${classifyNodeInstall(real)}), units now run ${wanted} (${classifyNodeInstall(wanted)}): the next pnpm start replaces it (unit changed: argv)`,
          '`pnpm start` (it replaces the service on this node); to keep the old node, run pnpm from a shell where `node` is that one.',
        ),
    );
  },
};
