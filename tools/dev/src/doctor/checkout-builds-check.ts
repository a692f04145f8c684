import { relative } from 'node:path';
import { checkBuildFreshness } from '../services/build-freshness.js';
import { SERVICES } from '../services/manifest.js';
import { type CheckResult, type DoctorCheck, ok, warn } from './doctor-check.js';

/** Whether each service's build is fresh, or missing or stale (which source changed). */
export const checkoutBuildsCheck: DoctorCheck = {
  id: 'checkout.builds',
  async run({ checkout }) {
    const lines: CheckResult[] = [];
    for (const spec of SERVICES) {
      const freshness = checkBuildFreshness(spec, checkout);
      const fix = `Nothing to do: pnpm start builds it first (or \`pnpm build\` now).`;
      if (freshness.state === 'missing')
        lines.push(
          warn(
            `checkout.builds.${spec.name}`,
            `${spec.name} is not built (${relative(checkout.root, freshness.entry)} is missing)`,
            fix,
          ),
        );
      if (freshness.state === 'stale')
        lines.push(
          warn(
            `checkout.builds.${spec.name}`,
            `${spec.name}'s build is stale: ${relative(checkout.root, freshness.newer)} changed since`,
            fix,
          ),
        );
    }
    return lines.length > 0
      ? lines
      : ok(this.id, `builds are fresh (${SERVICES.map((s) => s.name).join(', ')})`);
  },
};
