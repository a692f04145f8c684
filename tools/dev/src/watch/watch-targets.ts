import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';

/** What one service's watcher covers: absolute paths (files or folders). */
export interface WatchTarget {
  readonly service: ServiceName;
  readonly paths: readonly string[];
}

/** Folders of workspace packages (`workspace:` deps) a service depends on, as pnpm linked them. */
export function resolveWorkspaceDeps(
  spec: Pick<ServiceSpec, 'dir'>,
  checkout: Pick<Checkout, 'root'>,
): string[] {
  const serviceDir = join(checkout.root, spec.dir);
  let manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    manifest = JSON.parse(readFileSync(join(serviceDir, 'package.json'), 'utf8'));
  } catch {
    return [];
  }
  const deps = { ...manifest.devDependencies, ...manifest.dependencies };
  const dirs: string[] = [];
  for (const [name, version] of Object.entries(deps)) {
    if (!version.startsWith('workspace:')) continue;
    const link = join(serviceDir, 'node_modules', name);
    if (!existsSync(link)) continue;
    const dir = realpathSync(link);
    if (!relative(checkout.root, dir).startsWith('..')) dirs.push(dir);
  }
  return dirs;
}

/** Watch paths of each service: the manifest's, plus `src/` and `package.json` of its workspace deps. */
export function resolveWatchTargets(
  services: readonly Pick<ServiceSpec, 'name' | 'dir' | 'watchPaths'>[],
  checkout: Pick<Checkout, 'root'>,
): WatchTarget[] {
  return services.map((spec) => ({
    service: spec.name,
    paths: [
      ...spec.watchPaths.map((p) => join(checkout.root, p)),
      ...resolveWorkspaceDeps(spec, checkout).flatMap((dir) => [join(dir, 'src'), join(dir, 'package.json')]),
    ],
  }));
}

/** The services a changed absolute path belongs to (a shared package can belong to several). */
export function servicesForPath(path: string, targets: readonly WatchTarget[]): ServiceName[] {
  const inside = (parent: string) =>
    path === parent || path.startsWith(parent.endsWith(sep) ? parent : parent + sep);
  return targets.filter((t) => t.paths.some(inside)).map((t) => t.service);
}
