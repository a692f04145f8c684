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

const HEADERS = [
  'service',
  'backend',
  'label',
  'state',
  'pid',
  'port',
  'url',
  'uptime',
  'restarts',
  'health',
];
const RIGHT = new Set(['pid', 'port', 'uptime', 'restarts']);
/** Columns left out, in this order, until the table fits: each is said elsewhere or derivable. */
const DROP_ORDER = ['label', 'url', 'backend', 'uptime', 'restarts'];

export interface RenderStatusOptions {
  readonly now?: number;
  /** The terminal's width: columns are left out (label first) until the table fits. Unset: all. */
  readonly width?: number;
}

/** The table `pnpm status` prints, with the reasons of crashed/stopped services below it. */
export function renderStatus(report: StatusReport, options: RenderStatusOptions = {}): string {
  const now = options.now ?? Date.now();
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
  const render = (headers: readonly string[]) => {
    const keep = headers.map((header) => HEADERS.indexOf(header));
    return renderTable(
      headers.map((header) => ({
        header,
        align: RIGHT.has(header) ? ('right' as const) : ('left' as const),
      })),
      rows.map((row) => keep.map((i) => row[i] ?? '')),
    );
  };
  let headers = HEADERS;
  let table = render(headers);
  const dropped: string[] = [];
  for (const column of DROP_ORDER) {
    if (options.width === undefined || widest(table) <= options.width) break;
    headers = headers.filter((header) => header !== column);
    dropped.push(column);
    table = render(headers);
  }
  const reasons = report.services.filter((s) => s.reason).map((s) => `${s.name}: ${s.reason}`);
  const note =
    dropped.length === 0
      ? []
      : [paint.dim(`(${dropped.join(', ')} left out to fit the terminal: pnpm status --wide shows all)`)];
  return [table, ...reasons, ...note].join('\n');
}

// Escape sequences take no room on screen.
const widest = (text: string) =>
  Math.max(...text.split('\n').map((line) => line.replace(/\u001b\[[0-9;]*m/g, '').length));
