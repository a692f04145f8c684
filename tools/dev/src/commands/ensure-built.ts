import type { Checkout } from '../checkout/checkout.js';
import { formatDuration } from '../format/format-duration.js';
import type { Reporter } from '../format/reporter.js';
import { checkBuildFreshness } from '../services/build-freshness.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';
import { type BuildError, formatBuildErrors } from '../watch/build-result.js';

/** A service that does not build: its compiler errors, each once, located from the repo root. */
export class BuildFailedError extends Error {
  readonly service: ServiceName;
  readonly errors: readonly BuildError[];

  constructor(service: ServiceName, errors: readonly BuildError[]) {
    super(`${service} does not build:\n${formatBuildErrors(errors)}\nFix it, then run pnpm start again.`);
    this.name = 'BuildFailedError';
    this.service = service;
    this.errors = errors;
  }
}

/**
 * Builds every service whose build outputs are missing or older than their sources, with the
 * watch session's builders (loaded only when something must be built); reports progress. A
 * failed build throws BuildFailedError once the others are done.
 */
export async function ensureBuilt(
  services: readonly ServiceSpec[],
  checkout: Checkout,
  reporter: Reporter,
): Promise<void> {
  const todo = services
    .map((spec) => ({ spec, freshness: checkBuildFreshness(spec, checkout) }))
    .filter(({ freshness }) => freshness.state !== 'fresh');
  if (todo.length === 0) return;
  const { buildOnce } = await import('../watch/build-once.js');
  const failures = await Promise.all(
    todo.map(async ({ spec, freshness }) => {
      const why = freshness.state === 'missing' ? 'no build yet' : 'sources changed since the last build';
      reporter.info(`${spec.name}: building (${why})…`);
      const started = performance.now();
      const errors = await buildOnce(spec, checkout);
      if (errors.length > 0) return new BuildFailedError(spec.name, errors);
      reporter.info(`${spec.name}: built in ${formatDuration(performance.now() - started)}`);
      return undefined;
    }),
  );
  const [first, ...rest] = failures.filter((failure) => failure !== undefined);
  if (!first) return;
  // Every failed service says its errors; the last one is thrown (the command's last line).
  for (const failure of rest) reporter.warn(failure.message);
  throw first;
}
