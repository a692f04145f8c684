import { whyNotOurs } from '../checkout/service-identity.js';
import { waitForHealthy } from '../health/probe-health.js';
import { findService } from '../services/manifest.js';
import type { StepOutcome } from './execute-step.js';

/**
 * Waits until every service of a finished start answers `/health` as ready, from the pid it runs
 * as (the controller once its gateway link is up: a request right after `pnpm start` returns gets
 * a real answer, never the 503 of a link still connecting). Services start as soon as their
 * dependencies are launched, and an attached controller reconnects to a replaced gateway, so this
 * comes once everything runs. Throws naming each service that is not ready by the deadline.
 */
export async function confirmReady(
  outcomes: readonly StepOutcome[],
  instance: string,
  timeoutMs: number,
): Promise<void> {
  const results = await Promise.all(
    outcomes.map(async (outcome) => ({
      outcome,
      health: await waitForHealthy(
        outcome.port,
        (answer) => whyNotOurs(answer, { instance, pid: outcome.pid, ready: true }, outcome.port),
        { timeoutMs, path: findService(outcome.name)?.healthPath ?? '/health' },
      ),
    })),
  );
  const late = results.filter(({ health }) => !health.ok);
  if (late.length === 0) return;
  throw new Error(
    `${late
      .map(
        ({ outcome, health }) =>
          `${outcome.name} is not ready after ${Math.round(timeoutMs / 1000)}s: ${health.ok ? '' : health.reason}`,
      )
      .join('; ')}. See \`pnpm logs\`, or run \`pnpm start\` again.`,
  );
}
