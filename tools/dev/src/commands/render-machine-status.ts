import { paint } from '../format/color.js';
import { renderTable } from '../format/render-table.js';
import type { MachineStatusReport, MachineStatusRow } from './machine-status.js';

const PRESENCE: Record<MachineStatusRow['checkout']['presence'], (row: MachineStatusRow) => string> = {
  live: (row) => (row.checkout.current ? 'live (this one)' : 'live'),
  deleted: () => paint.red('orphaned (deleted)'),
  moved: () => paint.red('orphaned (moved)'),
  unknown: () => paint.yellow('unknown'),
};

/** The table `pnpm status --all` prints, with moves, reasons and problems below it. */
export function renderMachineStatus(report: MachineStatusReport): string {
  if (report.services.length === 0) return 'No nexu dev service is installed on this machine.';
  const rows = report.services.map((s) => [
    s.checkout.id,
    s.checkout.root ?? '?',
    PRESENCE[s.checkout.presence](s),
    s.backend,
    s.label,
    s.state,
    s.pid === null ? '-' : String(s.pid),
    s.port === null ? '-' : String(s.port),
    s.state === 'running' ? (s.healthy ? paint.green('healthy') : paint.red('unhealthy')) : '-',
  ]);
  const table = renderTable(
    ['checkout', 'root', 'where', 'backend', 'label', 'state', 'pid', 'port', 'health'].map((header) => ({
      header,
      align: header === 'pid' || header === 'port' ? ('right' as const) : ('left' as const),
    })),
    rows,
  );
  const moves = new Map<string, string>();
  for (const s of report.services) if (s.checkout.movedTo) moves.set(s.checkout.id, s.checkout.movedTo);
  const notes = [
    ...[...moves].map(([id, to]) => `checkout ${id} was moved to ${to}`),
    ...report.services.filter((s) => s.reason).map((s) => `${s.label}: ${s.reason}`),
  ];
  return [table, ...notes].join('\n');
}
