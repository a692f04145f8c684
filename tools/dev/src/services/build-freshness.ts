import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';
import { type ServiceSpec, serviceEntry } from './manifest.js';

export type BuildFreshness =
  | { readonly state: 'fresh' }
  | { readonly state: 'missing'; readonly entry: string }
  | { readonly state: 'stale'; readonly entry: string; readonly newer: string };

const SKIP = new Set(['node_modules', 'dist', '.turbo', '.tmp']);

/** Newest file (path, mtime) under `path`, skipping build outputs and dependencies. */
function newestFile(path: string): { path: string; mtimeMs: number } | undefined {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const name of readdirSync(path)) {
    if (SKIP.has(name) || name.endsWith('.test.ts')) continue;
    const candidate = newestFile(join(path, name));
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}

/** Whether a service's `dist/` exists and is newer than every source file it watches. */
export function checkBuildFreshness(spec: ServiceSpec, checkout: Checkout): BuildFreshness {
  const entry = serviceEntry(spec, checkout);
  let builtAt: number;
  try {
    builtAt = statSync(entry).mtimeMs;
  } catch {
    return { state: 'missing', entry };
  }
  for (const watched of spec.watchPaths) {
    const newest = newestFile(join(checkout.root, watched));
    if (newest && newest.mtimeMs > builtAt) return { state: 'stale', entry, newer: newest.path };
  }
  return { state: 'fresh' };
}
