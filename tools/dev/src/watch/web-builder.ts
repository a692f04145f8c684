import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Checkout } from '../checkout/checkout.js';
import { recordBuilt } from '../services/build-freshness.js';
import type { ServiceSpec } from '../services/manifest.js';
import type { BuildError, BuildResult } from './build-result.js';
import { serialBuilds } from './serial-builds.js';
import { swapDirContents } from './swap-dir.js';

/** The one Vite API we use; vite is apps/web's dependency, so it is loaded from there at run time. */
interface ViteModule {
  build(config: Record<string, unknown>): Promise<unknown>;
}

/** Where the served page is built, relative to the service folder (apps/web/vite.config.ts agrees). */
export const WEB_CLIENT_DIR = 'dist/client';

/** Options of `createWebBuilder`. */
export interface WebBuilderOptions {
  /** Served bundle folder, relative to the service folder (default `dist/client`). */
  outDir?: string;
  /** Folder `vite` is resolved from (default: the service folder). */
  viteFrom?: string;
}

/**
 * A successful web build says how many served files it changed (0: nothing to reload), and whether
 * its time includes loading Vite (the builder's first build).
 */
export type WebBuildResult =
  | (BuildResult & { readonly ok: false })
  | {
      readonly ok: true;
      readonly durationMs: number;
      readonly changedFiles: number;
      readonly loadedVite: boolean;
    };

/** Rebuilds the web client bundle with Vite and swaps it into the served folder. */
export interface WebBuilder {
  /** Loads Vite on the first call, then builds and swaps the bundle in. */
  build(): Promise<WebBuildResult>;
  /** Loads Vite and builds once without touching the served bundle (the first build is ~1 s cold); never throws. */
  warmUp(): Promise<void>;
  /** Whether this builder has loaded Vite (its first build or warm-up does; nothing before). */
  loaded(): boolean;
  /** Idempotent; returns the same promise. */
  dispose(): Promise<void>;
}

/** What Vite 8 (Rolldown) throws: `errors`, each located by `loc` (0-based column) or `id`. */
interface RawViteError {
  message?: string;
  id?: string;
  loc?: { file?: string; line?: number; column?: number };
  errors?: RawViteError[];
}

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * Creates the builder. Each build runs Vite's `build()` into a staging folder beside the served one
 * and, only when it succeeds, moves the files over (see `swapDirContents`), so a failed build leaves
 * the last good bundle served. Vite is imported by the first build or warm-up, not before: loaded,
 * it holds ~30 MB (its Rolldown and Lightning CSS native bindings and its modules) and a build
 * grows the heap further, which a session that never rebuilds the web client should not pay. That
 * first build pays the import (~300 ms) and a cold build (~0.5 s); Vite keeps no Rollup cache
 * between `build()` calls (only its watch mode does, and that owns its own watcher), so later
 * builds of a small app take ~30-100 ms.
 */
export function createWebBuilder(
  spec: Pick<ServiceSpec, 'dir'>,
  checkout: Pick<Checkout, 'root'>,
  options: WebBuilderOptions = {},
): WebBuilder {
  const root = join(checkout.root, spec.dir);
  const outDir = join(root, options.outDir ?? WEB_CLIENT_DIR);
  const staging = join(dirname(outDir), `.${basename(outDir)}-staging`);
  const resolveFrom = createRequire(join(options.viteFrom ?? root, 'package.json'));
  // Resolved and imported by the first build; a missing vite is reported by that build's result.
  let vite: Promise<ViteModule> | undefined;
  const loadVite = (): Promise<ViteModule> => {
    // A failed load is tried again by the next build (vite installed meanwhile).
    vite ??= (async () => import(pathToFileURL(resolveFrom.resolve('vite')).href))().catch((error) => {
      vite = undefined;
      throw error;
    });
    return vite;
  };

  const located = (file: string | undefined, line?: number, column?: number, text = ''): BuildError => ({
    file:
      file === undefined
        ? undefined
        : relative(checkout.root, file).startsWith('..')
          ? file
          : relative(checkout.root, file),
    line,
    // Rollup and esbuild columns are 0-based; `file:line:col` is 1-based.
    column: column === undefined ? undefined : column + 1,
    text,
  });

  // `[builtin:vite-transform] Unexpected token` -> `Unexpected token`: the plugin name is noise here.
  const firstLine = (message: string | undefined) =>
    (stripAnsi(message ?? '').split('\n')[0] ?? '').replace(/^\[[^\]]+\] /, '');
  const toBuildError = (error: RawViteError): BuildError =>
    located(error.loc?.file ?? error.id, error.loc?.line, error.loc?.column, firstLine(error.message));
  const toBuildErrors = (error: RawViteError): BuildError[] =>
    error.errors?.length ? error.errors.map(toBuildError) : [toBuildError(error)];

  const run = async (swap: boolean): Promise<WebBuildResult> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      if (builds.disposed) throw new Error('web builder is disposed');
      const loadedVite = vite === undefined;
      await (await loadVite()).build({
        root,
        logLevel: 'silent',
        clearScreen: false,
        build: { outDir: staging, emptyOutDir: true },
      });
      if (!swap) {
        await rm(staging, { recursive: true, force: true });
        return { ok: true, durationMs: elapsed(), changedFiles: 0, loadedVite };
      }
      const changedFiles = await swapDirContents(staging, outDir);
      // Also when nothing changed: the page is current, though its file times do not say so.
      recordBuilt(checkout, spec, options.outDir ?? WEB_CLIENT_DIR);
      return { ok: true, durationMs: elapsed(), changedFiles, loadedVite };
    } catch (error) {
      return { ok: false, durationMs: elapsed(), errors: toBuildErrors(error as RawViteError) };
    }
  };

  const builds = serialBuilds(run);
  return {
    build: builds.build,
    warmUp: builds.warmUp,
    loaded: () => vite !== undefined,
    dispose: builds.dispose,
  };
}
