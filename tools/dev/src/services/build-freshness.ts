import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';
import { type BuildOutput, buildOutputs, type ServiceSpec } from './manifest.js';

export type BuildFreshness =
  | { readonly state: 'fresh' }
  | { readonly state: 'missing'; readonly entry: string }
  | { readonly state: 'stale'; readonly entry: string; readonly newer: string };

const SKIP = new Set(['node_modules', 'dist', '.turbo', '.tmp']);

/** Newest file (path, mtime) under `path`, skipping `skip` (build outputs and dependencies). */
function newestFile(path: string, skip = SKIP): { path: string; mtimeMs: number } | undefined {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const name of readdirSync(path)) {
    if (skip.has(name) || name.endsWith('.test.ts')) continue;
    const candidate = newestFile(join(path, name), skip);
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}

// A build that produced the same output as before leaves the output's files as they were (no
// restart, no page reload), so their times cannot say the build is current: a stamp beside them
// (outside the served folder) records the last good build of each output.
const stampPath = (checkout: Pick<Checkout, 'root'>, spec: Pick<ServiceSpec, 'dir'>, output: string) =>
  join(checkout.root, spec.dir, 'dist', `.built-${output.replaceAll('/', '-')}`);

/** Records that `output` (relative to the service's folder) was just built from current sources. */
export function recordBuilt(
  checkout: Pick<Checkout, 'root'>,
  spec: Pick<ServiceSpec, 'dir'>,
  output: string,
): void {
  const path = stampPath(checkout, spec, output);
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${new Date().toISOString()}\n`);
  } catch {
    // No stamp: the next start rebuilds once, which is all it costs.
  }
}

/** When `output` was last built: its stamp or its own (newest) file, whichever is later; undefined when missing. */
function builtAt(checkout: Checkout, spec: ServiceSpec, output: BuildOutput): number | undefined {
  const own = newestFile(join(checkout.root, spec.dir, output.path), new Set())?.mtimeMs;
  if (own === undefined) return undefined;
  const stamp = newestFile(stampPath(checkout, spec, output.path))?.mtimeMs ?? 0;
  return Math.max(own, stamp);
}

/**
 * Whether each build output of a service (`buildOutputs`: the web server bundle and its page
 * apart) exists and is newer than every source it is built from; the first that is not says why.
 */
export function checkBuildFreshness(spec: ServiceSpec, checkout: Checkout): BuildFreshness {
  for (const output of buildOutputs(spec)) {
    const entry = join(checkout.root, spec.dir, output.path);
    const built = builtAt(checkout, spec, output);
    if (built === undefined) return { state: 'missing', entry };
    for (const source of output.sources) {
      const newest = newestFile(join(checkout.root, source));
      if (newest && newest.mtimeMs > built) return { state: 'stale', entry, newer: newest.path };
    }
  }
  return { state: 'fresh' };
}
