#!/usr/bin/env node
// The esbuild options of a Node service: the single source of truth for `pnpm build` (this file run
// by node in the service's folder) and the watcher (imported by src/watch/service-build-options.ts).
// Plain JavaScript on purpose: `pnpm build` must stay fast, and node runs this file directly
// (~50 ms, no tsx start-up); its JSDoc types are checked with the package's TypeScript.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Entry point built when none is given, relative to the service folder. */
export const DEFAULT_SERVICE_ENTRY = 'src/main.ts';
/** Bundle the supervisor runs with `node`, relative to the service folder. */
export const SERVICE_OUTFILE = 'dist/main.js';

/**
 * Packages left to node at run time: the service's npm `dependencies` (subpaths included). Workspace
 * packages (`workspace:*`, e.g. @nexu/service-kit) ship TypeScript sources, so they are bundled.
 * @param {string} serviceDir
 * @returns {string[]}
 */
export function serviceExternals(serviceDir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(serviceDir, 'package.json'), 'utf8'));
  } catch {
    return []; // no package.json: nothing declared, bundle everything
  }
  return Object.entries(manifest.dependencies ?? {})
    .filter(([, version]) => !String(version).startsWith('workspace:'))
    .map(([name]) => name);
}

/**
 * esbuild options bundling `entry` of the service in `serviceDir` into `dist/main.js`.
 * @param {string} serviceDir
 * @param {string} [entry]
 * @returns {import('esbuild').BuildOptions & { absWorkingDir: string; entryPoints: string[]; outfile: string }}
 */
export function serviceBuildOptions(serviceDir, entry = DEFAULT_SERVICE_ENTRY) {
  const absWorkingDir = resolve(serviceDir);
  return {
    absWorkingDir,
    entryPoints: [entry],
    outfile: SERVICE_OUTFILE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: serviceExternals(absWorkingDir),
    sourcemap: true,
    logLevel: 'warning',
  };
}

// `node ../../tools/dev/bin/build-service.mjs [entry]` from a service folder builds it once.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { build } = await import('esbuild');
  try {
    await build(serviceBuildOptions(process.cwd(), process.argv[2]));
  } catch {
    // esbuild has already printed the errors (logLevel 'warning').
    process.exitCode = 1;
  }
}
