import { join } from 'node:path';
import { serviceSourceEntry } from './bench-checkout.js';
import { createForegroundDriver } from './foreground-driver.js';
import { nodeCli } from './resolve-bin.js';
import type { ToolDriver } from './tool-driver.js';

/** `tsx watch src/main.ts` per service: runs the TypeScript sources, restarts on an imported file's change. */
export const tsxWatchDriver: ToolDriver = createForegroundDriver({
  name: 'tsx watch',
  role: 'peer',
  watch: true,
  watchedDir: 'src',
  runsDist: false,
  argv: (spec) => [
    ...nodeCli('tsx', 'dist/cli.mjs'),
    'watch',
    '--clear-screen=false',
    serviceSourceEntry(spec),
  ],
});

/** `node --watch dist/main.js` per service, with `esbuild --watch` rebuilding dist in watch mode. */
export const nodeWatchDriver: ToolDriver = createForegroundDriver({
  name: 'node --watch (+ esbuild --watch)',
  role: 'peer',
  watch: true,
  watchedDir: 'dist',
  runsDist: true,
  argv: (_spec, dir) => [process.execPath, '--watch', join(dir, 'dist/main.js')],
});

/** `nodemon --watch dist dist/main.js` per service, with `esbuild --watch` rebuilding dist in watch mode. */
export const nodemonDriver: ToolDriver = createForegroundDriver({
  name: 'nodemon (+ esbuild --watch)',
  role: 'peer',
  watch: true,
  watchedDir: 'dist',
  runsDist: true,
  argv: () => [
    ...nodeCli('nodemon', 'bin/nodemon.js'),
    '--watch',
    'dist',
    '--ext',
    'js,mjs,json',
    'dist/main.js',
  ],
});
