import { relative } from 'node:path';
import { capLogs } from '../logs/cap-log.js';
import { createLogLineFormatter } from '../logs/log-line-formatter.js';
import type { LogsOptions, LogsReport } from '../logs/logs-options.js';
import { type LogLineFilter, type ScannedLine, scanLog } from '../logs/scan-log.js';
import { serviceLogPath } from '../services/service-log-path.js';
import { followServiceLogs } from './follow-service-logs.js';

/**
 * `pnpm logs --grep PATTERN` / `--since TIME`: the lines of each log that pass the filter (all of
 * them, or the last `lines` of each when given), merged across services in the order they were
 * written, each with its service's prefix; then, when following, every appended line that matches.
 */
export async function searchLogs(
  options: LogsOptions & { readonly filter: LogLineFilter; readonly limit?: number },
): Promise<LogsReport> {
  const { checkout, services, filter } = options;
  const note = options.note ?? (() => {});
  const format = createLogLineFormatter(services, options.colour ?? false);
  let linesShown = 0;
  const print = (service: string, line: string) => {
    linesShown++;
    options.out(`${format({ service, line })}\n`);
  };
  const where = relative(process.cwd(), checkout.logsDir) || '.';
  await capLogs(checkout);
  const found = await Promise.all(
    services.map(async (service) => ({
      service,
      lines: await scanLog(serviceLogPath(checkout, service), filter, options.limit),
    })),
  );
  const missing = found.filter((f) => f.lines === undefined).map((f) => f.service);
  if (missing.length > 0) note(`No log yet for ${missing.join(', ')} in ${where} (pnpm start writes them).`);
  for (const { service, line } of mergeByTime(found)) print(service, line.text);
  if (!options.follow) return { linesShown, missing };

  await followServiceLogs({
    checkout,
    services,
    // Appended from now on: written after any --since.
    lines: 0,
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    onLine: (service, line) => {
      if (!filter.pattern || filter.pattern.test(line)) print(service, line);
    },
    note,
    where,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { linesShown, missing };
}

/**
 * Every service's lines in the order they were written (stable: lines of one time keep the
 * order of the services, lines of one service their own order); unstamped lines come first.
 */
function mergeByTime(
  found: ReadonlyArray<{ readonly service: string; readonly lines: readonly ScannedLine[] | undefined }>,
): Array<{ service: string; line: ScannedLine }> {
  const all = found.flatMap(({ service, lines }) => (lines ?? []).map((line) => ({ service, line })));
  return all.sort((a, b) => (a.line.time ?? 0) - (b.line.time ?? 0));
}
