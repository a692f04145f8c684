import { renderTable } from '@nexu/dev';
import { buildRatioTable } from './ratio-table.js';
import type { ScenarioResult } from './scenario-result.js';

/** One scenario as plain text for the terminal: title, aligned table, notes. */
export function renderScenarioText(result: ScenarioResult): string {
  const table = buildRatioTable(result);
  const columns = table.header.map((header, i) => ({
    header,
    align: table.numeric[i] ? ('right' as const) : ('left' as const),
  }));
  const notes = (result.notes ?? []).map((note) => `  - ${note}`);
  return [result.title, '', renderTable(columns, table.rows), ...(notes.length ? ['', ...notes] : [])].join(
    '\n',
  );
}

const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');

/** One scenario as a Markdown section: heading, pipe table, notes as a list. */
export function renderScenarioMarkdown(result: ScenarioResult): string {
  const table = buildRatioTable(result);
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${table.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  const notes = (result.notes ?? []).map((note) => `- ${note}`);
  return [
    `### ${result.title}`,
    '',
    line(table.header),
    rule,
    ...table.rows.map(line),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
