#!/usr/bin/env node
// Builds @nexu/dev's TypeScript into plain JavaScript that node runs alone (no TypeScript loader on
// any path a user waits on), in one step:
// - the commands (tools/dev/src/cli/<command>.ts) into tools/dev/dist/cli/, shared code in chunks;
// - the programs nexu dev starts apart from the CLI, each one self-contained file in
//   tools/dev/dist/runtime/: the process keeper, the crash-loop guard preloaded into every service,
//   and for the tests the fake launchctl (a bash client, its resident server), its job runner and the
//   fixture services.
// Plain JavaScript itself, so the launcher (bin/nexu-dev.mjs) can ask "is the build current?" on
// every command in a millisecond or two, and import esbuild only when it must build.
//
//   node tools/dev/bin/build-cli.mjs     # build now (pnpm build and pnpm install run it)
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repo root (this file lives in tools/dev/bin). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The commands a user types (`pnpm <command>`), each built from `tools/dev/src/cli/<command>.ts`. */
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

/** Where the runtime programs go (see `RUNTIME_DIR` in src/os/runtime-program.ts), by source. */
const RUNTIME_DIST = join(REPO_ROOT, 'tools', 'dev', 'dist', 'runtime');
const RUNTIME_ENTRIES = {
  keeper: 'tools/dev/src/supervisor/keeper.ts',
  'crash-loop-guard': 'tools/dev/src/supervisor/crash-loop-guard-preload.ts',
  'fake-launchd-server': 'tools/dev/src/test-support/fake-launchd-server.ts',
  'fake-launchd-job': 'tools/dev/src/test-support/fake-launchd-job.ts',
  ...Object.fromEntries(
    ['fixture-service', 'crash-on-start', 'ignore-sigterm', 'bind-race'].map((name) => [
      `fixtures/${name}`,
      `tools/dev/src/test-support/fixtures/${name}.ts`,
    ]),
  ),
};

// Runtime programs that are bash scripts, copied as they are: the fake launchctl's client (a node
// start-up per call would cost ~80 ms that a Mac's launchctl does not; see fake-launchctl.ts).
const RUNTIME_SCRIPTS = { 'fake-launchctl': 'tools/dev/src/test-support/fake-launchctl.sh' };

// Every file the last build read (sources and the dependencies bundled in), with the time it was
// built: the build is current while none of them is newer, and none is missing.
const INPUTS = join(CLI_DIST, 'inputs.json');

// Packages left to node: esbuild and Vite ship native or large parts and are loaded on demand
// (only by a watching `pnpm start`), TypeScript only runs as its compiler. The fake launchd's
// server loads plist only for a bootstrap.
const EXTERNAL = ['esbuild', 'vite', 'typescript'];
const RUNTIME_EXTERNAL = ['plist'];

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
 * finds files next to itself (`new URL('../../dist/runtime/', import.meta.url)`) finds them from the
 * sources, exactly as when it runs unbundled. The URL is computed when the built file runs, from
 * the built file's own `import.meta.url` and the source's path relative to it: nothing built holds
 * the checkout's absolute path, so a moved checkout (`mv nexu elsewhere`) finds its own sources.
 */
/** @type {import('esbuild').Plugin} */
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
 * Builds the CLI into tools/dev/dist/cli (one entry per command, shared code in content-hashed chunks)
 * and the runtime programs into tools/dev/dist/runtime. Each file is written to a temporary name and
 * renamed into place, chunks before entries, so a command starting meanwhile loads either the old
 * build or the new one, never half of one.
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  const builtAt = Date.now();
  /** @type {import('esbuild').BuildOptions} */
  const common = {
    absWorkingDir: REPO_ROOT,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
  };
  const [cli, runtime] = await Promise.all([
    build({
      ...common,
      entryPoints: CLI_COMMANDS.map((command) => `tools/dev/src/cli/${command}.ts`),
      outdir: CLI_DIST,
      splitting: true,
      chunkNames: 'chunk-[hash]',
      external: EXTERNAL,
      // Bundled CommonJS dependencies may call require(): give the ESM output one.
      banner: {
        js: "import { createRequire as __nexuCreateRequire } from 'node:module'; const require = __nexuCreateRequire(import.meta.url);",
      },
      plugins: [sourceUrls],
    }),
    // Self-contained files: the guard runs inside every start of a service, the keeper beside
    // every unit of the process backend; none loads a chunk or the CLI's code.
    build({ ...common, entryPoints: RUNTIME_ENTRIES, outdir: RUNTIME_DIST, external: RUNTIME_EXTERNAL }),
  ]);
  writeOutputs(cli.outputFiles, CLI_DIST, builtAt);
  writeOutputs(runtime.outputFiles, RUNTIME_DIST, builtAt);
  for (const [name, source] of Object.entries(RUNTIME_SCRIPTS)) {
    const path = join(RUNTIME_DIST, name);
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, readFileSync(join(REPO_ROOT, source)), { mode: 0o755 });
    chmodSync(temp, 0o755);
    renameSync(temp, path);
  }
  const inputs = [
    ...Object.keys(cli.metafile?.inputs ?? {}),
    ...Object.keys(runtime.metafile?.inputs ?? {}),
    ...Object.values(RUNTIME_SCRIPTS),
  ].map((path) => relative(REPO_ROOT, resolve(REPO_ROOT, path)));
  const temp = `${INPUTS}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ builtAt, files: [...new Set(inputs)] })}\n`);
  renameSync(temp, INPUTS);
}

/**
 * Writes a build's files (chunks before entries), then removes the outdated chunks of `dir`.
 * @param {import('esbuild').OutputFile[] | undefined} outputFiles
 * @param {string} dir
 * @param {number} builtAt
 */
function writeOutputs(outputFiles = [], dir, builtAt) {
  const isEntry = (/** @type {string} */ path) => !/[/\\]chunk-[^/\\]+$/.test(path);
  const files = [...outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  removeOldChunks(dir, new Set(files.map((file) => file.path)), builtAt);
}

// A watching `pnpm start` loads its watch chunk some moments after it started: chunks of an older
// build are removed only once they are an hour old.
/**
 * @param {string} dir
 * @param {Set<string>} current
 * @param {number} now
 */
function removeOldChunks(dir, current, now) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
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
    if (!(error instanceof Error && 'errors' in error)) console.error(error);
    process.exitCode = 1;
  }
}
