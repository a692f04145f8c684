import { type HealthExpectation, whyNotOurs } from '../checkout/service-identity.js';
import { type HealthAnswer, waitForHealthy } from '../health/probe-health.js';
import type { ServiceStatus, Supervisor, UnitSpec } from '../supervisor/supervisor.js';

export interface WaitForServiceReadyOptions {
  /** Longest wait for a healthy answer (ms). */
  readonly timeoutMs: number;
  /** `/health` path of the service. */
  readonly path: string;
  /** How often the supervisor is asked whether the service gave up (default 250 ms). */
  readonly statusIntervalMs?: number;
  /** Ends the wait early (the command was interrupted): resolves not ok. */
  readonly signal?: AbortSignal;
}

export type ServiceReadyResult =
  | { readonly ok: true; readonly answer: HealthAnswer }
  | {
      readonly ok: false;
      readonly reason: string;
      /** What the supervisor reported when the wait ended early (crashed, stopped); else undefined. */
      readonly status: ServiceStatus | undefined;
    };

// `stopped` must be seen twice in a row: systemd reports a unit that is being restarted as
// `deactivating` (mapped to stopped) for a moment; a service that exited 78 or 0 stays stopped.
const GIVE_UP_AFTER_STOPPED = 2;

/**
 * Waits until `unit` answers `/health` as expected, but gives up as soon as its supervisor reports
 * it `crashed` (crash-loop breaker) or `stopped` (exit 78, exit 0): waiting out the whole deadline
 * for a service that will not come back only delays the error and its log tail.
 */
export async function waitForServiceReady(
  supervisor: Supervisor,
  unit: UnitSpec,
  expected: HealthExpectation,
  options: WaitForServiceReadyOptions,
): Promise<ServiceReadyResult> {
  const gaveUp = new AbortController();
  const interrupted = () => gaveUp.abort();
  options.signal?.addEventListener('abort', interrupted, { once: true });
  if (options.signal?.aborted) gaveUp.abort();
  let finalStatus: ServiceStatus | undefined;
  let watching = true;
  // The pause between status checks ends at once when the service answers: the answer must not
  // wait for the watcher's next turn.
  let wake = () => {};
  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.statusIntervalMs ?? 250);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const watcher = (async () => {
    let stoppedSeen = 0;
    while (watching) {
      await pause();
      if (!watching) return;
      const status = await supervisor.status(unit).catch(() => undefined);
      if (!status) continue;
      stoppedSeen = status.state === 'stopped' ? stoppedSeen + 1 : 0;
      if (status.state === 'crashed' || stoppedSeen >= GIVE_UP_AFTER_STOPPED) {
        finalStatus = status;
        gaveUp.abort();
        return;
      }
    }
  })();
  try {
    const health = await waitForHealthy(unit.port, (answer) => whyNotOurs(answer, expected, unit.port), {
      timeoutMs: options.timeoutMs,
      path: options.path,
      signal: gaveUp.signal,
    });
    if (health.ok) return health;
    if (finalStatus) {
      const why = finalStatus.reason ?? `its supervisor reports it ${finalStatus.state}`;
      return {
        ok: false,
        reason: `it ${why.startsWith('crash') ? 'hit the ' : ''}${why}`,
        status: finalStatus,
      };
    }
    return {
      ok: false,
      reason: `no healthy answer on port ${unit.port} (${health.reason})`,
      status: undefined,
    };
  } finally {
    options.signal?.removeEventListener('abort', interrupted);
    watching = false;
    wake();
    await watcher;
  }
}
