import type { Checkout } from '../checkout/checkout.js';
import type { ServiceSpec } from '../services/manifest.js';
import type { BuildError } from './build-result.js';
import { hasWebClient } from './reload-units.js';
import { createServiceBuilder } from './service-builder.js';
import { createWebBuilder } from './web-builder.js';

/**
 * Builds a service once with the builders a watch session uses (esbuild with the options of
 * `pnpm build`; Vite for a web client), so a build error reads the same in `pnpm start` as while
 * watching: repo-relative `file:line:col`, 1-based columns, each error once. Resolves with the
 * errors (none: built); never throws.
 */
export async function buildOnce(
  spec: Pick<ServiceSpec, 'name' | 'dir'>,
  checkout: Pick<Checkout, 'root'>,
): Promise<readonly BuildError[]> {
  const web = hasWebClient(spec, checkout);
  const server = createServiceBuilder(spec, checkout, web ? { entry: 'server/main.ts' } : {});
  const client = web ? createWebBuilder(spec, checkout) : undefined;
  try {
    const results = await Promise.all([server.build(), client?.build()]);
    return results.flatMap((result) => (result && !result.ok ? result.errors : []));
  } finally {
    await Promise.all([server.dispose(), client?.dispose()]);
  }
}
