import type { Checkout } from '../checkout/checkout.js';
import { type CapLogOptions, capLogs } from './cap-log.js';

/** How often a long session re-checks the log sizes. */
export const LOG_CAP_INTERVAL_MS = 30_000;

export interface ScheduleLogCapsOptions extends CapLogOptions {
  /** Time between checks (default `LOG_CAP_INTERVAL_MS`). */
  intervalMs?: number;
  /** Called when a check fails (e.g. EACCES); the schedule goes on. */
  onError?: (error: Error) => void;
}

/** A running periodic cap; `close()` is idempotent and returns the same promise. */
export interface LogCapSchedule {
  close(): Promise<void>;
}

/**
 * Caps this checkout's logs every `intervalMs` during a session (`pnpm logs`, the watch session).
 * The timer is unref'd: capping alone never keeps the process alive.
 */
export function scheduleLogCaps(checkout: Checkout, options: ScheduleLogCapsOptions = {}): LogCapSchedule {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => capLogs(checkout, options))
      .then(
        () => undefined,
        (error: Error) => options.onError?.(error),
      );
  }, options.intervalMs ?? LOG_CAP_INTERVAL_MS);
  timer.unref();
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (() => {
        clearInterval(timer);
        return running;
      })();
      return closing;
    },
  };
}
