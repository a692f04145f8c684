import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type Checkout, findRepoRoot, resolveCheckout } from '../checkout/checkout.js';
import { SERVICES } from '../services/manifest.js';

/** A throwaway checkout in a temp dir: its own checkout id, state and ports. */
export interface TempCheckout {
  readonly checkout: Checkout;
  /** Removes it (call after its services are stopped). */
  remove(): void;
}

/** Options of `createTempCheckout`. */
export interface TempCheckoutOptions {
  /**
   * Name of the checkout folder; lets tests put awkward characters (spaces, quotes, %, non-ASCII)
   * into the path. Default `checkout`.
   */
  readonly name?: string;
  /**
   * Copy this repo's services (sources, built `dist/`, package files) so `pnpm start` can run
   * them (default). `false`: only the workspace marker, for tests that bring their own units.
   */
  readonly services?: boolean;
  /**
   * Also copy the commands' sources (scripts/, tools/dev) and give the copy a `node_modules` of its
   * own whose workspace links lead to its own packages: `node <root>/tools/dev/bin/nexu-dev.mjs` then builds
   * and runs the copy's CLI, as in a clone of the repo (see `spawnCli`'s `ownCli`).
   */
  readonly cli?: boolean;
}

const SKIP = new Set(['node_modules', '.turbo']);

/**
 * Creates a checkout in a new temp dir. With `services` (the default) it copies what the services
 * need to run (sources, built `dist/`, package files; timestamps kept so builds count as fresh),
 * linking each app's dependencies to the real ones and its workspace packages to their copies
 * (see `linkNodeModules`).
 */
export function createTempCheckout(options: TempCheckoutOptions = {}): TempCheckout {
  const parent = realpathSync(mkdtempSync(join(tmpdir(), 'nexu-dev-test-')));
  const root = join(parent, options.name ?? 'checkout');
  const remove = () => rmSync(parent, { recursive: true, force: true });
  if (options.services === false) {
    mkdirSync(root);
    writeFileSync(join(root, 'pnpm-workspace.yaml'), '');
    return { checkout: resolveCheckout(root), remove };
  }
  const source = findRepoRoot(import.meta.dirname);
  // tools/dev/bin holds the build script the apps' `build` scripts run: a copy whose sources are
  // newer than its dist/ (the shared checkout being edited) is rebuilt by `pnpm start` in place.
  const cli = options.cli
    ? ['scripts', 'tools/dev/src', 'tools/dev/package.json', 'tools/dev/tsconfig.json']
    : [];
  for (const file of ['package.json', 'pnpm-workspace.yaml', 'tsconfig.json', 'tools/dev/bin', ...cli]) {
    cpSync(join(source, file), join(root, file), {
      recursive: true,
      preserveTimestamps: true,
      filter: (path) => !SKIP.has(path.split('/').at(-1) ?? ''),
    });
  }
  const packages = [...new Set([...SERVICES.map((s) => s.dir), 'tools/service-kit'])];
  const copied = packages.filter((dir) => existsSync(join(source, dir)));
  for (const dir of copied) {
    cpSync(join(source, dir), join(root, dir), {
      recursive: true,
      preserveTimestamps: true,
      filter: (path) => !SKIP.has(path.split('/').at(-1) ?? ''),
    });
  }
  // After every package is copied: a workspace link is kept only when its target has a copy.
  for (const dir of [...copied, 'tools/dev']) {
    if (existsSync(join(source, dir, 'node_modules'))) {
      linkNodeModules(join(source, dir, 'node_modules'), join(root, dir, 'node_modules'), source, root);
    }
  }
  if (options.cli) linkNodeModules(join(source, 'node_modules'), join(root, 'node_modules'), source, root);
  else symlinkSync(join(source, 'node_modules'), join(root, 'node_modules'));
  return { checkout: resolveCheckout(root), remove };
}

/**
 * Mirrors a package's `node_modules`: npm packages link to the real ones, but a workspace link
 * (e.g. `@nexu/service-kit -> ../../../../tools/service-kit`) keeps its relative target, so it
 * resolves to the copy. Linking the whole folder instead would bundle the real repo's workspace
 * sources into the copy's builds: edits to the copy's packages would be ignored, and every rebuild
 * would differ from `pnpm build`'s output by its source paths. Dot folders other than `.bin` are
 * tool caches (`.vite-temp`) and are left for the tools to create in the copy.
 */
function linkNodeModules(from: string, to: string, sourceRoot: string, copyRoot: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const entry = join(from, name);
    const stat = lstatSync(entry);
    if (stat.isDirectory() && name.startsWith('@')) {
      linkNodeModules(entry, join(to, name), sourceRoot, copyRoot);
      continue;
    }
    if (name.startsWith('.') && name !== '.bin') continue;
    if (stat.isSymbolicLink()) {
      const target = readlinkSync(entry);
      const inRepo = relative(sourceRoot, resolve(dirname(entry), target));
      const workspace =
        !isAbsolute(target) &&
        !inRepo.startsWith('..') &&
        !inRepo.split(sep).includes('node_modules') &&
        existsSync(join(copyRoot, inRepo));
      if (workspace) {
        symlinkSync(target, join(to, name));
        continue;
      }
    }
    symlinkSync(entry, join(to, name));
  }
}
