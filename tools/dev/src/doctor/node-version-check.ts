import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.js';

/** `major.minor.patch` of a version string (`v20.19.5`, `20.19`), missing parts 0; null when not one. */
export function parseVersion(text: string): [number, number, number] | null {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] : null;
}

/** Whether `version` is at least `minimum` (both `[major, minor, patch]`). */
export function isAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== minimum[i]) return (version[i] ?? 0) > (minimum[i] ?? 0);
  return true;
}

/** The node running the commands against the root package.json's `engines.node` (`>=20.19`). */
export const nodeVersionCheck: DoctorCheck = {
  id: 'node.version',
  async run({ checkout }) {
    const manifest = JSON.parse(await readFile(join(checkout.root, 'package.json'), 'utf8')) as {
      engines?: { node?: string };
    };
    const range = manifest.engines?.node;
    const running = process.versions.node;
    const minimum = range?.startsWith('>=') ? parseVersion(range.slice(2)) : null;
    if (!range || !minimum) {
      return warn(
        this.id,
        `node ${running}; package.json's engines.node (${range ?? 'none'}) is not a >= range`,
        null,
      );
    }
    if (isAtLeast(parseVersion(running)!, minimum)) return ok(this.id, `node ${running} (engines: ${range})`);
    return fail(
      this.id,
      `node ${running} is older than engines.node ${range}`,
      `Install Node ${range.slice(2)} or newer (e.g. \`nvm install 20\` or \`brew install node\`) and open a new terminal.`,
    );
  },
};
