import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';
import { capLogs } from '../logs/cap-log.js';
import { createCrashFolder } from '../logs/fold-repeated-crashes.js';
import { createLogLineFormatter } from '../logs/log-line-formatter.js';
import { readLogTail } from '../logs/read-last-lines.js';
import type { LogLineFilter } from '../logs/scan-log.js';
import { serviceLogPath } from '../services/service-log-path.js';
import { followServiceLogs } from './follow-service-logs.js';
import { searchLogs } from './search-logs.js';

export interface LogsOptions {
  readonly checkout: Checkout;
  /** Services whose logs to show, in the order to show their first lines (already validated). */
  readonly services: readonly string[];
  /** Last lines of each log to show first. */
  readonly lines: number;
  /** Keep following appended lines until `signal` aborts; false: print and return. */
  readonly follow: boolean;
  /** Receives output text (whole lines, each ending in `\n`). */
  readonly out: (text: string) => void;
  /** Notes for the user (not log lines): where logs are, missing files, read errors. */
  readonly note?: (line: string) => void;
  /** Colour the service prefixes. */
  readonly colour?: boolean;
  /** Ends following (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Fallback poll interval of the follower in ms (default 250). */
  readonly pollIntervalMs?: number;
  /** Print a crash that repeats (a service crash-looping at start-up) once, with a count. */
  readonly foldCrashes?: boolean;
  /**
   * Only lines matching a pattern and/or written since a time (`--grep`, `--since`): all of those
   * in the logs (`lines` applies only when `linesGiven`), then the matching appended ones.
   */
  readonly filter?: LogLineFilter;
  /** `lines` was asked for (`--lines`): with a filter, the last `lines` matches of each log. */
  readonly linesGiven?: boolean;
}

export interface LogsReport {
  /** Log lines written to `out`. */
  readonly linesShown: number;
  /** Services whose log file did not exist when we started. */
  readonly missing: readonly string[];
}

/** `pnpm logs`: caps oversized logs, prints the last lines of each, then follows until aborted. */
export async function runLogs(options: LogsOptions): Promise<LogsReport> {
  const { checkout, services } = options;
  if (options.filter) {
    return searchLogs({
      ...options,
      filter: options.filter,
      ...(options.linesGiven ? { limit: options.lines } : {}),
    });
  }
  const note = options.note ?? (() => {});
  const format = createLogLineFormatter(services, options.colour ?? false);
  let linesShown = 0;
  const print = (service: string, line: string) => {
    linesShown++;
    options.out(`${format({ service, line })}\n`);
  };
  const folder = options.foldCrashes
    ? createCrashFolder({ emit: ({ service, line }) => print(service, line) })
    : undefined;
  const emit = folder ? (service: string, line: string) => folder.push({ service, line }) : print;
  const where = relative(process.cwd(), checkout.logsDir) || '.';

  await capLogs(checkout);
  const missing = services.filter((service) => !existsSync(serviceLogPath(checkout, service)));
  if (missing.length > 0) note(`No log yet for ${missing.join(', ')} in ${where} (pnpm start writes them).`);
  if (!options.follow) {
    for (const service of services) {
      const lines = await readLogTail(serviceLogPath(checkout, service), options.lines);
      for (const line of lines ?? []) emit(service, line);
    }
    folder?.close();
    return { linesShown, missing };
  }

  try {
    await followServiceLogs({
      checkout,
      services,
      lines: options.lines,
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      onLine: emit,
      note,
      where,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    folder?.close();
  }
  return { linesShown, missing };
}
