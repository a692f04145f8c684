import type { ScenarioResult, ScenarioRow } from './scenario-result.js';
import { type SampleSummary, summarizeSamples } from './summarize-samples.js';

/** Header and cells of one scenario's table, shared by the terminal and the Markdown renderer. */
export interface RatioTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Columns holding numbers (right-aligned). */
  readonly numeric: readonly boolean[];
}

/** Formats a number of the scenario's unit: whole numbers from 100 up, one decimal below. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return Math.abs(value) >= 100 ? Math.round(value).toString() : value.toFixed(1);
}

/** `0.42x`; ratios below 1 mean ours is lower (faster, cheaper) than the other side. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-';
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}x`;
}

const lowestMedian = (rows: readonly { row: ScenarioRow; summary: SampleSummary | null }[]) =>
  rows
    .filter((r) => r.summary !== null)
    .sort((a, b) => (a.summary as SampleSummary).median - (b.summary as SampleSummary).median)[0];

/**
 * Builds the table: min / median / p95 per tool; for our rows the ratio of our median to the best
 * (lowest-median) peer's and to the lowest floor's. Rows without samples show their note instead.
 */
export function buildRatioTable(result: ScenarioResult): RatioTable {
  const summarized = result.rows.map((row) => ({ row, summary: summarizeSamples(row.samples) }));
  const bestPeer = lowestMedian(summarized.filter((r) => r.row.role === 'peer'));
  const floors = summarized.filter((r) => r.row.role === 'floor');
  const floor = floors.find((r) => r.row.tool === result.ratioFloor && r.summary) ?? lowestMedian(floors);
  const showFloor = floor !== undefined;
  const header = [
    'tool',
    'n',
    `min ${result.unit}`,
    `median ${result.unit}`,
    `p95 ${result.unit}`,
    'ours / best peer',
    ...(showFloor ? ['ours / floor'] : []),
    'note',
  ];
  const rows = summarized.map(({ row, summary }) => {
    const failures = row.failures ? `${row.failures} failed` : '';
    const note = [row.note ?? '', failures].filter(Boolean).join('; ');
    if (!summary) {
      return [row.tool, '0', '-', '-', '-', '', ...(showFloor ? [''] : []), note || 'n/a'];
    }
    const ratio = (other: typeof bestPeer) =>
      row.role === 'ours' && other?.summary ? formatRatio(summary.median / other.summary.median) : '';
    const role =
      row === floor?.row
        ? 'floor used'
        : row.role === 'floor'
          ? 'floor'
          : row === bestPeer?.row
            ? 'best peer'
            : '';
    return [
      row.tool,
      String(summary.count),
      formatValue(summary.min),
      formatValue(summary.median),
      formatValue(summary.p95),
      row.role === 'ours' ? ratio(bestPeer) || 'n/a: no peer' : role,
      ...(showFloor ? [ratio(floor)] : []),
      note,
    ];
  });
  const numeric = header.map((_, i) => i >= 1 && i < header.length - 1);
  return { header, rows, numeric };
}
