import { SERVICES, type ServicePorts } from '@nexu/dev';
import { waitFor } from '@nexu/service-kit';
import { type ProbeResult, probeJson } from './http-probe.js';

/** What a healthy answer must say, beyond `ok: true`. */
export interface HealthExpectation {
  /** `NEXU_DEV_INSTANCE` every service must report. */
  readonly instance?: string;
}

export type ServicesReady =
  | { readonly ok: true; readonly pids: readonly number[] }
  | { readonly ok: false; readonly reason: string };

/** Poll interval of timed waits: short, so it adds at most a few ms to a sample. */
export const TIMED_POLL_MS = 5;

function describeProblem(name: string, answer: ProbeResult, expect: HealthExpectation): string | undefined {
  if (!answer.ok) return `${name}: ${answer.reason}`;
  if (answer.body.ok !== true) return `${name}: answered without ok: true`;
  if (expect.instance && answer.body.instance !== expect.instance)
    return `${name}: instance ${String(answer.body.instance)}, expected ${expect.instance}`;
  return undefined;
}

/**
 * Waits until every service answers `/health` with `ok: true` (and the expected instance) at
 * `ports`, polling every few ms until the deadline.
 */
export async function waitForServices(
  ports: ServicePorts,
  expect: HealthExpectation,
  timeoutMs: number,
): Promise<ServicesReady> {
  let last = 'no answer yet';
  const result = await waitFor(
    async () => {
      const answers = await Promise.all(
        SERVICES.map((spec) => probeJson(ports[spec.name], spec.healthPath, 500)),
      );
      const pids: number[] = [];
      for (const [i, answer] of answers.entries()) {
        const problem = describeProblem(SERVICES[i]?.name ?? '?', answer, expect);
        if (problem) {
          last = problem;
          return false;
        }
        if (answer.ok) pids.push(Number(answer.body.pid));
      }
      return pids;
    },
    { timeoutMs, intervalMs: TIMED_POLL_MS, maxIntervalMs: TIMED_POLL_MS },
  );
  return result.ok ? { ok: true, pids: result.value } : { ok: false, reason: `${result.reason} (${last})` };
}

/** Waits until the service on `port` reports `revision` at `/health`; resolves ms waited or a reason. */
export async function waitForRevision(
  port: number,
  revision: number,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  let last = 'no answer yet';
  const result = await waitFor(
    async () => {
      const answer = await probeJson(port, '/health', 500);
      if (!answer.ok) last = answer.reason;
      else last = `revision ${String(answer.body.revision)}`;
      return answer.ok && answer.body.revision === revision;
    },
    { timeoutMs, intervalMs: TIMED_POLL_MS, maxIntervalMs: TIMED_POLL_MS },
  );
  return result.ok ? { ok: true } : { ok: false, reason: `${result.reason} (${last})` };
}
