import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { type DoctorCheck, ok, warn } from './doctor-check.js';
import { realPathOf } from './doctor-context.js';

/** The version of the pnpm that runs this command (its user agent), else of the `pnpm` on PATH; null when none. */
export function findPnpmVersion(env: NodeJS.ProcessEnv): string | null {
  const agent = /^pnpm\/(\S+)/.exec(env.npm_config_user_agent ?? '');
  if (agent?.[1]) return agent[1];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const bin = join(dir, 'pnpm');
    if (!existsSync(bin)) continue;
    // npm -g and Homebrew link bin/pnpm into the package; its package.json says the version.
    for (let at = dirname(realPathOf(bin)); at !== dirname(at); at = dirname(at)) {
      try {
        const manifest = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8'));
        if (manifest.name === 'pnpm' || manifest.name === '@pnpm/exe') return String(manifest.version);
      } catch {}
    }
    return null;
  }
  return null;
}

/** pnpm against the root package.json's `packageManager` (`pnpm@10.34.8`). */
export const pnpmVersionCheck: DoctorCheck = {
  id: 'pnpm.version',
  async run({ checkout, env }) {
    const manifest = JSON.parse(await readFile(join(checkout.root, 'package.json'), 'utf8')) as {
      packageManager?: string;
    };
    const wanted = /^pnpm@([^+]+)/.exec(manifest.packageManager ?? '')?.[1];
    if (!wanted) return ok(this.id, 'package.json pins no pnpm version');
    const install = `\`npm install -g pnpm@${wanted}\` (or \`corepack enable\`)`;
    const found = findPnpmVersion(env);
    if (found === null)
      return warn(this.id, `no pnpm found on PATH (packageManager: pnpm@${wanted})`, install);
    if (found !== wanted) return warn(this.id, `pnpm ${found}, packageManager pins pnpm@${wanted}`, install);
    return ok(this.id, `pnpm ${found} (packageManager: pnpm@${wanted})`);
  },
};
