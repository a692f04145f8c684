import { paint } from '../format/color.js';
import { formatDuration } from '../format/format-duration.js';
import { renderServiceTable } from './render-start-report.js';
import type { RestartResult } from './restart.js';

/** The table `pnpm restart` prints: one row per restarted service with its new pid and the time it took. */
export function renderRestartReport(result: Extract<RestartResult, { ok: true }>): string {
  const table = renderServiceTable(result.services.map((s) => ({ ...s, mode: paint.green('restarted') })));
  const count = result.services.length === 1 ? '1 service' : `${result.services.length} services`;
  return `${table}\n${count} restarted (${result.backend}) in ${formatDuration(result.totalMs)}`;
}
