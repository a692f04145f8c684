import type { MachineInfo } from './machine-info.js';
import { formatRatio } from './ratio-table.js';
import { renderScenarioMarkdown } from './render-scenario.js';
import type { ScenarioResult } from './scenario-result.js';
import { summarizeSamples } from './summarize-samples.js';

/** Everything a report needs besides the scenario tables. */
export interface BenchReportMeta {
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  /** Load average when the run ended (the start's is in `machine`). */
  readonly loadAfter: readonly number[];
  readonly durationMs: number;
}

/**
 * One line per scenario and our row: our median over the best peer's. The headline of the report,
 * since the absolute numbers only hold for the machine they were taken on.
 */
export function renderHeadline(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | ours | median | best peer | median | ours / best peer |',
    '| --- | --- | ---: | --- | ---: | ---: |',
  ];
  for (const result of results) {
    const peers = result.rows
      .filter((r) => r.role === 'peer')
      .map((r) => ({ row: r, summary: summarizeSamples(r.samples) }))
      .filter((p) => p.summary !== null)
      .sort((a, b) => (a.summary?.median ?? 0) - (b.summary?.median ?? 0));
    const best = peers[0];
    for (const row of result.rows.filter((r) => r.role === 'ours')) {
      const ours = summarizeSamples(row.samples);
      const value = (n: number | undefined) => (n === undefined ? '-' : `${Math.round(n)} ${result.unit}`);
      const ratio = ours && best?.summary ? formatRatio(ours.median / best.summary.median) : 'n/a';
      lines.push(
        `| ${result.label ?? result.title.replace(/:.*$/, '')} | ${row.tool} | ${value(ours?.median)} | ${best?.row.tool ?? '-'} | ${value(best?.summary?.median)} | ${ratio} |`,
      );
    }
  }
  return lines.join('\n');
}

/** BENCHMARKS.md: date, machine, load, the headline ratios, then every scenario's table. */
export function renderBenchmarksMarkdown(results: readonly ScenarioResult[], meta: BenchReportMeta): string {
  const m = meta.machine;
  return [
    '# Benchmarks',
    '',
    `Latest \`${meta.command}\` run, ${meta.date} (took ${Math.round(meta.durationMs / 1000)} s). Regenerate with \`pnpm bench\`; raw samples with \`--json FILE\`.`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB memory, ${m.os} (Linux ${m.kernel}), node ${m.node}. Load average (1/5/15 min) at start ${m.load.join(' / ')}, at end ${meta.loadAfter.join(' / ')}.`,
    '',
    '**Absolute times are for this machine only** (a shared 2-core box: other work ran alongside). The ratios compare tools measured in the same run, interleaved, on the same apps; they are the headline. A ratio below 1 means ours is faster (or cheaper) than the best peer.',
    '',
    '## Headline: ours / best peer (median)',
    '',
    renderHeadline(results),
    '',
    '## Scenarios',
    '',
    ...results.flatMap((r) => [renderScenarioMarkdown(r), '']),
  ].join('\n');
}
