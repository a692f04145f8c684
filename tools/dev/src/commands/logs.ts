import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { capLogs } from '../logs/cap-log.js';
import { createCrashFolder } from '../logs/fold-repeated-crashes.js';
import { createLogLineFormatter } from '../logs/log-line-formatter.js';
import type { LogsOptions, LogsReport } from '../logs/logs-options.js';
import { readLogTail } from '../logs/read-last-lines.js';
import { serviceLogPath } from '../services/service-log-path.js';
import { followServiceLogs } from './follow-service-logs.js';
import { searchLogs } from './search-logs.js';

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
