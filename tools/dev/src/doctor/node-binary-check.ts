import { existsSync } from 'node:fs';
import { classifyNodeInstall } from '../os/node-identity.js';
import { type DoctorCheck, ok, warn } from './doctor-check.js';
import { realPathOf } from './doctor-context.js';

/** The node binary a unit would run, and the version manager (or package manager) it comes from. */
export const nodeBinaryCheck: DoctorCheck = {
  id: 'node.binary',
  async run({ nodePath }) {
    if (!existsSync(nodePath)) {
      return warn(
        this.id,
        `units would run ${nodePath}, which does not exist`,
        'Open a new terminal (so PATH finds node) and run `pnpm run doctor` again.',
      );
    }
    const real = realPathOf(nodePath);
    const install = classifyNodeInstall(real);
    const via = real === nodePath ? '' : ` (-> ${real})`;
    if (install === 'fnm' && real.includes('/fnm_multishells/')) {
      return warn(
        this.id,
        `units would run ${nodePath}${via}, a link of this shell's fnm session: it is gone when the shell closes`,
        'Run `pnpm start` from a shell whose PATH has a lasting node (`fnm default <version>`, or Homebrew / system node).',
      );
    }
    return ok(this.id, `units run ${nodePath}${via} (${install}, v${process.versions.node})`);
  },
};
