import { paint } from '../format/color.js';
import { formatDuration } from '../format/format-duration.js';
import { renderTable } from '../format/render-table.js';
import type { StartReport } from './start.js';

/** One row of a start or restart table; `mode` as printed (`started`, `attached`, `restarted`). */
export interface ServiceRow {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly mode: string;
  readonly durationMs: number;
}

/** Service, URL, pid, mode, time: the table `pnpm start` and `pnpm restart` print. */
export function renderServiceTable(rows: readonly ServiceRow[]): string {
  return renderTable(
    [
      { header: 'service' },
      { header: 'url' },
      { header: 'pid', align: 'right' },
      { header: 'mode' },
      { header: 'time', align: 'right' },
    ],
    rows.map((s) => [s.name, s.url, String(s.pid), s.mode, formatDuration(s.durationMs)]),
  );
}

/** The table `pnpm start` prints: service, URL, pid, attached/started, time; then the total. */
export function renderStartReport(report: StartReport): string {
  const table = renderServiceTable(
    report.services.map((s) => ({
      ...s,
      mode: s.mode === 'started' ? paint.green('started') : paint.cyan('attached'),
    })),
  );
  return `${table}\n${report.services.length} services ready (${report.backend}) in ${formatDuration(report.totalMs)}`;
}
