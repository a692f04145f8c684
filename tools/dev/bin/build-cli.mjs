#!/usr/bin/env node
// Builds the everyday commands (scripts/start.ts, stop.ts, restart.ts, status.ts, logs.ts, reset-state.ts,
// doctor.ts) into
// plain JavaScript in tools/dev/dist/cli/, so they run on node alone: no TypeScript loader on their path.
// Plain JavaScript itself, so the launcher (scripts/run.mjs) can ask "is the build current?" on
// every command in a millisecond or two, and import esbuild only when it must build.
//
//   node tools/dev/bin/build-cli.mjs     # build now (pnpm build and pnpm install run it)
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repo root (this file lives in tools/dev/bin). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The commands a user types (`pnpm <command>`), each built from `scripts/<command>.ts`. */
export const CLI_COMMANDS = Object.freeze([
  'start',
  'stop',
  'restart',
  'status',
  'logs',
  'reset-state',
  'doctor',
]);

/**
 * Where the built commands go: inside @nexu/dev, so the packages left external (esbuild) resolve
 * from its own dependencies.
 */
export const CLI_DIST = join(REPO_ROOT, 'tools', 'dev', 'dist', 'cli');

// Every file the last build read (sources and the dependencies bundled in), with the time it was
// built: the build is current while none of them is newer, and none is missing.
const INPUTS = join(CLI_DIST, 'inputs.json');

// Packages left to node: esbuild and Vite ship native or large parts and are loaded on demand
// (only by a watching `pnpm start`), TypeScript only runs as `tsc --watch`.
const EXTERNAL = ['esbuild', 'vite', 'typescript'];

/**
 * Whether the built CLI is current: `{ fresh: true }`, or `{ fresh: false, why }` naming the file
 * that is newer than the build (or that the build is missing). Only `stat`s, no reading of sources.
 */
export function checkCliBuild() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
  } catch {
    return { fresh: false, why: 'no build yet' };
  }
  for (const file of inputs.files) {
    let mtimeMs;
    try {
      mtimeMs = statSync(join(REPO_ROOT, file)).mtimeMs;
    } catch {
      return { fresh: false, why: `${file} is gone` };
    }
    if (mtimeMs > inputs.builtAt) return { fresh: false, why: `${file} changed` };
  }
  return { fresh: true };
}

/**
 * Replaces `import.meta.url` in every bundled source file with that file's own URL, so code that
 * finds files next to itself (`new URL('./keeper.mjs', import.meta.url)`) finds them in the
 * sources, exactly as when it runs unbundled. The URL is computed when the built file runs, from
 * the built file's own `import.meta.url` and the source's path relative to it: nothing built holds
 * the checkout's absolute path, so a moved checkout (`mv nexu elsewhere`) finds its own sources.
 */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(m?ts|m?js|cjs)$/ }, (args) => {
      if (args.path.includes(`${join('node_modules', '')}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const loader = /\.m?ts$/.test(args.path) ? 'ts' : 'js';
      const fromOutput = relative(CLI_DIST, args.path).split(sep).join('/');
      return {
        contents: text.replaceAll(
          'import.meta.url',
          `(new URL(${JSON.stringify(fromOutput)}, import.meta.url).href)`,
        ),
        loader,
      };
    });
  },
};

/**
 * Builds the CLI into tools/dev/dist/cli (one entry per command, shared code in content-hashed chunks).
 * Each file is written to a temporary name and renamed into place, chunks before entries, so a
 * command starting meanwhile loads either the old build or the new one, never half of one.
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  const builtAt = Date.now();
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: CLI_COMMANDS.map((command) => `scripts/${command}.ts`),
    outdir: CLI_DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    external: EXTERNAL,
    // Bundled CommonJS dependencies may call require(): give the ESM output one.
    banner: {
      js: "import { createRequire as __nexuCreateRequire } from 'node:module'; const require = __nexuCreateRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [sourceUrls],
  });
  mkdirSync(CLI_DIST, { recursive: true });
  const isEntry = (path) => !/[/\\]chunk-[^/\\]+$/.test(path);
  const files = [...result.outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const file of files) {
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  removeOldChunks(new Set(files.map((file) => file.path)), builtAt);
  const inputs = Object.keys(result.metafile.inputs).map((path) =>
    relative(REPO_ROOT, resolve(REPO_ROOT, path)),
  );
  const temp = `${INPUTS}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ builtAt, files: inputs })}\n`);
  renameSync(temp, INPUTS);
}

// A watching `pnpm start` loads its watch chunk some moments after it started: chunks of an older
// build are removed only once they are an hour old.
function removeOldChunks(current, now) {
  for (const name of readdirSync(CLI_DIST)) {
    const path = join(CLI_DIST, name);
    if (!name.startsWith('chunk-') || current.has(path) || current.has(path.replace(/\.map$/, ''))) continue;
    try {
      if (now - statSync(path).mtimeMs > 3_600_000) rmSync(path, { force: true });
    } catch {
      // removed by a concurrent build
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    await buildCli();
  } catch (error) {
    // esbuild has printed the errors (logLevel 'warning').
    if (!error?.errors) console.error(error);
    process.exitCode = 1;
  }
}
