import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
// The flags live in bin/build-service.mjs, which `pnpm build` runs with plain node (no tsx, so the
// build stays fast); this module only gives the watcher typed access to the very same options.
import { DEFAULT_SERVICE_ENTRY, SERVICE_OUTFILE, serviceBuildOptions } from '../../bin/build-service.mjs';
import type { Checkout } from '../checkout/checkout.js';
import type { ServiceSpec } from '../services/manifest.js';

export { DEFAULT_SERVICE_ENTRY, SERVICE_OUTFILE };

/** Options of `resolveServiceBuildOptions`. */
export interface ServiceBuildOptionsInput {
  /** Entry point relative to the service folder (default `src/main.ts`; the web server uses `server/main.ts`). */
  entry?: string;
}

/** esbuild options of a service, identical to what `pnpm build` uses, with absolute paths. */
export function resolveServiceBuildOptions(
  spec: Pick<ServiceSpec, 'dir'>,
  checkout: Pick<Checkout, 'root'>,
  input: ServiceBuildOptionsInput = {},
): BuildOptions & { absWorkingDir: string; outfile: string } {
  const options = serviceBuildOptions(join(checkout.root, spec.dir), input.entry ?? DEFAULT_SERVICE_ENTRY);
  return { ...options, outfile: join(options.absWorkingDir, options.outfile) };
}
