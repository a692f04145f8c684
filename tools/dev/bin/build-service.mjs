#!/usr/bin/env node
// The esbuild options of a Node service: the single source of truth for `pnpm build` (this file run
// by node in the service's folder) and the watcher (imported by src/watch/service-build-options.ts).
// Plain JavaScript on purpose: `pnpm build` must stay fast, and node runs this file directly
// (~50 ms, no tsx start-up); the TypeScript side gets its types from build-service.d.mts.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Entry point built when none is given, relative to the service folder. */
export const DEFAULT_SERVICE_ENTRY = 'src/main.ts';
/** Bundle the supervisor runs with `node`, relative to the service folder. */
export const SERVICE_OUTFILE = 'dist/main.js';

/** esbuild options bundling `entry` of the service in `serviceDir` into `dist/main.js`. */
export function serviceBuildOptions(serviceDir, entry = DEFAULT_SERVICE_ENTRY) {
  return {
    absWorkingDir: resolve(serviceDir),
    entryPoints: [entry],
    outfile: SERVICE_OUTFILE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
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
