import { relative } from 'node:path';
import { paint } from '../format/color.js';
import { renderTable } from '../format/render-table.js';
import type { StartAction } from '../plan/plan-start.js';
import type { StartPreview } from './start.js';

const ACTION_COLOUR: Record<StartAction, (text: string) => string> = {
  attach: paint.cyan,
  start: paint.green,
  replace: paint.yellow,
};

/** What `pnpm start --dry-run` prints: one row per service (action, port, reason), then what else would happen. */
export function renderStartPreview(preview: StartPreview, root: string): string {
  const table = renderTable(
    [{ header: 'service' }, { header: 'action' }, { header: 'port', align: 'right' }, { header: 'reason' }],
    preview.plan.steps.map((step) => [
      step.spec.name,
      ACTION_COLOUR[step.action](step.action),
      String(step.unit.port),
      step.reason,
    ]),
  );
  const lines = [table];
  if (preview.ledgerProblem) lines.push(`Would ignore the ledger: ${preview.ledgerProblem}`);
  const moved = preview.previousLocation;
  if (moved) {
    const units = moved.units.map(({ backend, unit }) => `${unit.label} (${backend})`).join(', ');
    lines.push(
      `This checkout moved here from ${moved.location.root}: would stop ${units || 'nothing (nothing of it runs there)'} and reuse its ports where free`,
    );
  }
  for (const { service, freshness } of preview.builds) {
    const why =
      freshness.state === 'stale'
        ? `sources changed since the last build (${relative(root, freshness.newer)})`
        : 'no build yet';
    lines.push(`Would build ${service} first: ${why}`);
  }
  for (const { backend, unit } of preview.otherUnits) {
    lines.push(`Would stop and remove ${unit.service} (${unit.label}) from the ${backend} backend`);
  }
  lines.push(`Dry run on the ${preview.plan.backend} backend: nothing was changed.`);
  return lines.join('\n');
}
