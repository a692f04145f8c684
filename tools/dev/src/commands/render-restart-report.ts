import { paint } from '../format/color.js';
import { formatDuration } from '../format/format-duration.js';
import { renderTable } from '../format/render-table.js';
import type { RestartResult } from './restart.js';

/** The table `pnpm restart` prints: one row per restarted service with its new pid and the time it took. */
export function renderRestartReport(result: Extract<RestartResult, { ok: true }>): string {
  const rows = result.services.map((s) => [
    s.name,
    s.url,
    String(s.pid),
    paint.green('restarted'),
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
  const count = result.services.length === 1 ? '1 service' : `${result.services.length} services`;
  return `${table}\n${count} restarted (${result.backend}) in ${formatDuration(result.totalMs)}`;
}
