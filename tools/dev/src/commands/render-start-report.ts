import { paint } from '../format/color.js';
import { formatDuration } from '../format/format-duration.js';
import { renderTable } from '../format/render-table.js';
import type { StartReport } from './start.js';

/** The table `pnpm start` prints: service, URL, pid, attached/started, time; then the total. */
export function renderStartReport(report: StartReport): string {
  const rows = report.services.map((s) => [
    s.name,
    s.url,
    String(s.pid),
    s.mode === 'started' ? paint.green('started') : paint.cyan('attached'),
    formatDuration(s.durationMs),
  ]);
  const table = renderTable(
    [
      { header: 'service' },
      { header: 'url' },
      { header: 'pid', align: 'right' },
      { header: 'mode' },
      { header: 'time', align: 'right' },
    ],
    rows,
  );
  return `${table}\n${report.services.length} services ready (${report.backend}) in ${formatDuration(report.totalMs)}`;
}
