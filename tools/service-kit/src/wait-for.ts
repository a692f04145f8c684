/** Options for `waitFor`: an overall deadline and an adaptive polling interval. */
export interface WaitForOptions {
  /** Give up after this many ms (default 10 s). */
  timeoutMs?: number;
  /** First poll interval in ms (default 20); doubles up to `maxIntervalMs`. */
  intervalMs?: number;
  /** Longest poll interval in ms (default 250). */
  maxIntervalMs?: number;
  /** Aborts the wait early. */
  signal?: AbortSignal;
}

export type WaitResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: 'timeout' | 'aborted' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value other than `undefined`/`false`, starting fast (~20 ms)
 * and backing off, until the deadline. Expected outcomes are results, not exceptions.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions = {},
): Promise<WaitResult<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let interval = options.intervalMs ?? 20;
  const maxInterval = options.maxIntervalMs ?? 250;
  for (;;) {
    if (options.signal?.aborted) return { ok: false, reason: 'aborted' };
    const value = await check();
    if (value !== undefined && value !== false) return { ok: true, value: value as T };
    const left = deadline - Date.now();
    if (left <= 0) return { ok: false, reason: 'timeout' };
    await sleep(Math.min(interval, left));
    interval = Math.min(interval * 2, maxInterval);
  }
}
