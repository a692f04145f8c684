import { paint } from '../format/color.js';
import { formatUptime } from '../format/format-duration.js';
import { renderTable } from '../format/render-table.js';
import type { ServiceStatusRow, StatusReport } from './status.js';

const STATE_COLOUR: Record<ServiceStatusRow['state'], (text: string) => string> = {
  running: paint.green,
  starting: paint.yellow,
  stopped: paint.dim,
  crashed: paint.red,
  'not-installed': paint.dim,
};

/** The table `pnpm status` prints, with the reasons of crashed/stopped services below it. */
export function renderStatus(report: StatusReport, now = Date.now()): string {
  const rows = report.services.map((s) => [
    s.name,
    report.backend,
    s.label,
    STATE_COLOUR[s.state](s.state),
    s.pid === null ? '-' : String(s.pid),
    String(s.port),
    s.url,
    s.startedAt ? formatUptime(now - Date.parse(s.startedAt)) : '-',
    String(s.restarts),
    s.state === 'running' ? (s.healthy ? paint.green('healthy') : paint.red('unhealthy')) : '-',
  ]);
  const table = renderTable(
    ['service', 'backend', 'label', 'state', 'pid', 'port', 'url', 'uptime', 'restarts', 'health'].map(
      (header) => ({
        header,
        align: ['pid', 'port', 'uptime', 'restarts'].includes(header)
          ? ('right' as const)
          : ('left' as const),
      }),
    ),
    rows,
  );
  const reasons = report.services.filter((s) => s.reason).map((s) => `${s.name}: ${s.reason}`);
  return [table, ...reasons].join('\n');
}
