import type { Checkout } from '../checkout/checkout.js';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import type { ServiceSpec } from '../services/manifest.js';
import type { Supervisor, UnitSpec } from '../supervisor/supervisor.js';
import { executeStep } from './execute-step.js';

/** What the watch session replaces: a service it saw change (a rebuild, an edited `.env` file). */
export interface ReplaceRunningServiceOptions {
  readonly checkout: Checkout;
  readonly supervisor: Supervisor;
  readonly spec: ServiceSpec;
  readonly unit: UnitSpec;
  /** Why, in words (`rebuilt`, `env file changed`). */
  readonly cause: string;
  /** Whether the unit changed and must be installed anew (a rebuild keeps it as it is). */
  readonly install: boolean;
}

/**
 * The watch session's way to a running process: the planner's `replace` step for one service,
 * carried out by the same executor as `pnpm start`. The pid being replaced is read from its
 * `/health`: until the new process answers, the old one's answers do not count.
 */
export async function replaceRunningService(options: ReplaceRunningServiceOptions): Promise<void> {
  const { checkout, supervisor, spec, unit, cause, install } = options;
  const before = await probeHealth(unit.port, spec.healthPath);
  await executeStep(
    {
      spec,
      action: 'replace',
      reason: cause,
      cause,
      unit,
      install,
      running: before.ok ? before.answer.pid : null,
    },
    { checkout, supervisor, reporter: createMemoryReporter(), readyTimeoutMs: 20_000, recovery: 'save-fix' },
  );
}
