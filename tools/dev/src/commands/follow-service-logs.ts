import type { Checkout } from '../checkout/checkout.js';
import { followLogs } from '../logs/follow-logs.js';
import { scheduleLogCaps } from '../logs/schedule-log-caps.js';
import { serviceLogPath } from '../services/service-log-path.js';

/** What `followServiceLogs` follows, and where it reports. */
export interface FollowServiceLogsOptions {
  readonly checkout: Checkout;
  readonly services: readonly string[];
  /** Lines of history to print first (0: appended lines only). */
  readonly lines: number;
  readonly pollIntervalMs?: number;
  readonly onLine: (service: string, line: string) => void;
  /** Our own lines (progress, problems), apart from the logs. */
  readonly note: (line: string) => void;
  /** The logs folder as the user sees it, for `Following ... logs in <where>`. */
  readonly where: string;
  readonly signal?: AbortSignal;
}

/** Follows the services' logs, capping them meanwhile, until `signal` aborts (forever without one). */
export async function followServiceLogs(options: FollowServiceLogsOptions): Promise<void> {
  const { checkout, services, note } = options;
  const follower = followLogs({
    sources: services.map((service) => ({ service, path: serviceLogPath(checkout, service) })),
    lines: options.lines,
    pollIntervalMs: options.pollIntervalMs,
    onLine: ({ service, line }) => options.onLine(service, line),
    onError: (error, source) => note(`Unable to read ${source.path}: ${error.message}`),
  });
  const caps = scheduleLogCaps(checkout, {
    onError: (error) => note(`Unable to cap logs: ${error.message}`),
  });
  try {
    await follower.ready;
    note(`Following ${services.join(', ')} logs in ${options.where} (Ctrl-C to stop).`);
    await abortion(options.signal);
  } finally {
    await Promise.all([follower.close(), caps.close()]);
  }
}

function abortion(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
