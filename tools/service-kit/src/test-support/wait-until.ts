import { waitFor } from '../wait-for.js';

/** `waitFor` for tests: resolves with the value, or throws naming `what` at the deadline. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  let lastError: unknown;
  const result = await waitFor(
    async () => {
      try {
        return await check();
      } catch (error) {
        lastError = error;
        return undefined;
      }
    },
    { timeoutMs, intervalMs: 25, maxIntervalMs: 25 },
  );
  if (result.ok) return result.value;
  const detail = lastError ? ` (last error: ${String(lastError)})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}
