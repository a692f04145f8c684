import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Checkout, findRepoRoot, resolveCheckout } from '../checkout/checkout.js';
import { SERVICES } from '../services/manifest.js';

/** A throwaway copy of this repo's built services: its own checkout id, state and ports. */
export interface TempCheckout {
  readonly checkout: Checkout;
  /** Removes the copy (call after its services are stopped). */
  remove(): void;
}

const SKIP = new Set(['node_modules', '.turbo']);

/**
 * Copies what the services need to run (sources, built `dist/`, package files; timestamps kept so
 * builds count as fresh) into a new temp dir, linking each app's `node_modules` to the real one.
 * `name` lets tests put awkward characters (spaces, quotes, %, non-ASCII) into the path.
 */
export function createTempCheckout(name = 'checkout'): TempCheckout {
  const source = findRepoRoot(import.meta.dirname);
  const parent = mkdtempSync(join(tmpdir(), 'nexu-dev-test-'));
  const root = join(parent, name);
  for (const file of ['package.json', 'pnpm-workspace.yaml', 'tsconfig.json']) {
    cpSync(join(source, file), join(root, file), { preserveTimestamps: true });
  }
  const packages = [...new Set([...SERVICES.map((s) => s.dir), 'tools/service-kit'])];
  for (const dir of packages) {
    if (!existsSync(join(source, dir))) continue;
    cpSync(join(source, dir), join(root, dir), {
      recursive: true,
      preserveTimestamps: true,
      filter: (path) => !SKIP.has(path.split('/').at(-1) ?? ''),
    });
    if (existsSync(join(source, dir, 'node_modules'))) {
      symlinkSync(join(source, dir, 'node_modules'), join(root, dir, 'node_modules'));
    }
  }
  symlinkSync(join(source, 'node_modules'), join(root, 'node_modules'));
  return {
    checkout: resolveCheckout(root),
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}
