import { request } from 'node:http';
import { type WaitForOptions, waitFor } from '@nexu/service-kit';

/** What a service's `/health` answered. */
export interface HealthAnswer {
  readonly service: string;
  readonly pid: number;
  readonly instance: string | null;
  readonly startedAt: string;
  /** False while it cannot do its work yet (the controller before its gateway link is up); absent: ready. */
  readonly ready?: boolean;
  /** What it still waits for, when not ready. */
  readonly waitingFor?: string;
}

export type HealthResult =
  | { readonly ok: true; readonly answer: HealthAnswer }
  | { readonly ok: false; readonly reason: string };

/** One GET of `http://127.0.0.1:<port><path>`; never throws. */
export function probeHealth(port: number, path = '/health', timeoutMs = 1_000): Promise<HealthResult> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve({ ok: false, reason: `HTTP ${res.statusCode}` });
        try {
          const parsed = JSON.parse(body) as Partial<HealthAnswer> & { ok?: boolean };
          if (parsed.ok !== true || typeof parsed.pid !== 'number') {
            return resolve({ ok: false, reason: 'health answer is not {"ok":true,...}' });
          }
          resolve({ ok: true, answer: parsed as HealthAnswer });
        } catch {
          resolve({ ok: false, reason: 'health answer is not JSON' });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, reason: error.code ?? error.message }),
    );
    req.end();
  });
}

/**
 * Polls `/health` until it answers with an answer `refuse` accepts (it returns why not, or
 * undefined: see `whyNotOurs`) or the deadline passes. Polling starts at 5 ms and backs off only to
 * 10 ms: a probe of a local port costs well under a millisecond, and a coarser backoff would add up
 * to its last interval to every start and hot reload.
 */
export async function waitForHealthy(
  port: number,
  refuse: (answer: HealthAnswer) => string | undefined,
  options: WaitForOptions & { path?: string } = {},
): Promise<HealthResult> {
  let last: HealthResult = { ok: false, reason: 'no answer yet' };
  const result = await waitFor(
    async () => {
      last = await probeHealth(port, options.path);
      const mismatch = last.ok ? refuse(last.answer) : undefined;
      if (mismatch !== undefined) last = { ok: false, reason: mismatch };
      return last.ok ? last : undefined;
    },
    // A refused connection or an answer costs well under a millisecond: polling every 5-10 ms
    // finds a restarted service within a few ms of its first answer.
    { intervalMs: 5, maxIntervalMs: 10, ...options },
  );
  return result.ok ? result.value : last;
}
