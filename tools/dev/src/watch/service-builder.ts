import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { writeFileAtomic } from '@nexu/service-kit';
import { type BuildContext, context, type Message } from 'esbuild';
import type { Checkout } from '../checkout/checkout.js';
import { recordBuilt } from '../services/build-freshness.js';
import type { ServiceSpec } from '../services/manifest.js';
import type { BuildError, BuildResult } from './build-result.js';
import { serialBuilds } from './serial-builds.js';
import { resolveServiceBuildOptions, type ServiceBuildOptionsInput } from './service-build-options.js';

/** A successful service build also says whether `dist/main.js` changed (no change: no restart needed). */
export type ServiceBuildResult =
  | (BuildResult & { readonly ok: false })
  | { readonly ok: true; readonly durationMs: number; readonly changed: boolean };

/** Incremental esbuild of one service into its `dist/main.js`. */
export interface ServiceBuilder {
  /** Builds current sources; on failure the previous `dist/` is left untouched. */
  build(): Promise<ServiceBuildResult>;
  /** Builds once without writing, so the first real rebuild is already incremental (never throws). */
  warmUp(): Promise<void>;
  /** Whether its esbuild context exists (its warm-up or first build creates it). */
  loaded(): boolean;
  /** Frees esbuild's context; idempotent, returns the same promise. */
  dispose(): Promise<void>;
}

/**
 * Creates an incremental builder (esbuild `context()` + `rebuild()`: unchanged files are not parsed
 * again, so a small service rebuilds in a few ms).
 *
 * Output is built in memory (`write: false`) and written by temp file + rename, source map first,
 * then `main.js`: esbuild's own writer truncates and rewrites the file in place, so a restart racing
 * it could load a half-written bundle. With rename, a process starts on the old or the new file.
 */
export function createServiceBuilder(
  spec: Pick<ServiceSpec, 'name' | 'dir'>,
  checkout: Pick<Checkout, 'root'>,
  input: ServiceBuildOptionsInput = {},
): ServiceBuilder {
  const options = resolveServiceBuildOptions(spec, checkout, input);
  let ctx: Promise<BuildContext> | undefined;

  const toBuildError = (message: Message): BuildError => {
    const file = message.location?.file;
    const absolute =
      file === undefined ? undefined : isAbsolute(file) ? file : join(options.absWorkingDir, file);
    const inRepo = absolute === undefined ? undefined : relative(checkout.root, absolute);
    return {
      file: inRepo !== undefined && !inRepo.startsWith('..') ? inRepo : absolute,
      line: message.location?.line,
      // esbuild columns are 0-based; editors and `file:line:col` links are 1-based.
      column: message.location === null ? undefined : message.location.column + 1,
      text: message.text,
    };
  };

  const run = async (write: boolean): Promise<ServiceBuildResult> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (builds.disposed)
      return {
        ok: false,
        durationMs: 0,
        errors: [
          { file: undefined, line: undefined, column: undefined, text: `${spec.name} builder is disposed` },
        ],
      };
    try {
      ctx ??= context({ ...options, write: false, logLevel: 'silent' });
      const result = await (await ctx).rebuild();
      if (!write) return { ok: true, durationMs: elapsed(), changed: false };
      const files = [...(result.outputFiles ?? [])].sort(
        (a, b) => Number(a.path === options.outfile) - Number(b.path === options.outfile),
      );
      const previous = await readFile(options.outfile).catch(() => undefined);
      const main = files.find((f) => f.path === options.outfile);
      const changed =
        previous === undefined || main === undefined || !Buffer.from(main.contents).equals(previous);
      if (changed)
        for (const file of files)
          await writeFileAtomic(file.path, file.contents, { mode: 0o644, durable: false });
      // Also when unchanged: the output is current, though its file times do not say so.
      recordBuilt(checkout, spec, relative(options.absWorkingDir, options.outfile));
      return { ok: true, durationMs: elapsed(), changed };
    } catch (error) {
      const messages: Message[] | undefined = (error as { errors?: Message[] }).errors;
      const errors = messages?.length
        ? messages.map(toBuildError)
        : [
            {
              file: undefined,
              line: undefined,
              column: undefined,
              text: String((error as Error).message ?? error),
            },
          ];
      return { ok: false, durationMs: elapsed(), errors };
    }
  };

  const builds = serialBuilds(run, async () => {
    if (ctx) await (await ctx.catch(() => undefined))?.dispose();
  });
  return {
    build: builds.build,
    warmUp: builds.warmUp,
    loaded: () => ctx !== undefined,
    dispose: builds.dispose,
  };
}
