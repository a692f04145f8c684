import { describe, expect, it } from 'vitest';
import { buildRatioTable, formatRatio, formatValue } from './ratio-table.js';
import { renderScenarioMarkdown, renderScenarioText } from './render-scenario.js';
import type { ScenarioResult } from './scenario-result.js';
import { percentile, summarizeSamples } from './summarize-samples.js';

describe('summarizeSamples', () => {
  it('gives min, median and p95 with linear interpolation between ranks', () => {
    const summary = summarizeSamples([5, 1, 4, 2, 3]);
    expect(summary).toEqual({ count: 5, min: 1, median: 3, p95: 4.8, max: 5 });
  });

  it('takes the mean of the two middle samples as the median of an even count', () => {
    expect(summarizeSamples([10, 20, 30, 40])?.median).toBe(25);
  });

  it('returns null when a tool produced no sample, and ignores non-finite samples', () => {
    expect(summarizeSamples([])).toBeNull();
    expect(summarizeSamples([Number.NaN, Number.POSITIVE_INFINITY])).toBeNull();
    expect(summarizeSamples([Number.NaN, 7])?.count).toBe(1);
  });

  it('clamps percentiles to the range and handles one sample', () => {
    expect(percentile([3], 95)).toBe(3);
    expect(percentile([1, 2], 150)).toBe(2);
    expect(percentile([1, 2], -5)).toBe(1);
  });
});

describe('buildRatioTable', () => {
  const result: ScenarioResult = {
    id: 'hot-reload',
    title: '3. Hot reload',
    unit: 'ms',
    rows: [
      { tool: 'ours (process)', role: 'ours', samples: [100, 120, 110] },
      { tool: 'nodemon', role: 'peer', samples: [400, 420, 410] },
      { tool: 'tsx watch', role: 'peer', samples: [200, 220, 210] },
      { tool: 'pm2', role: 'peer', samples: [], note: 'n/a: no re-attach' },
      { tool: 'node server', role: 'floor', samples: [50, 55, 60] },
    ],
  };

  it('divides our median by the lowest peer median and by the lowest floor median', () => {
    const table = buildRatioTable(result);
    expect(table.header).toContain('ours / best peer');
    const ours = table.rows[0]!;
    expect(ours.slice(0, 7)).toEqual(['ours (process)', '3', '100', '110', '119', '0.52x', '2.00x']);
  });

  it('marks the best peer and the floor, and shows the note of a tool without samples', () => {
    const table = buildRatioTable(result);
    expect(table.rows[2]![5]).toBe('best peer');
    expect(table.rows[4]![5]).toBe('floor used');
    expect(table.rows[3]).toEqual(['pm2', '0', '-', '-', '-', '', '', 'n/a: no re-attach']);
  });

  it('uses the named floor for the floor ratio when the scenario names one', () => {
    const rows = [...result.rows, { tool: 'sum', role: 'floor' as const, samples: [220] }];
    const table = buildRatioTable({ ...result, rows, ratioFloor: 'sum' });
    expect(table.rows[0]![6]).toBe('0.50x');
    expect(table.rows[4]![5]).toBe('floor');
    expect(table.rows[5]![5]).toBe('floor used');
  });

  it('says so when no peer has samples, and counts failed runs in the note', () => {
    const table = buildRatioTable({
      id: 'scale',
      title: 'Scale',
      unit: 'ms',
      rows: [{ tool: 'ours x4', role: 'ours', samples: [900], failures: 1 }],
    });
    expect(table.header).not.toContain('ours / floor');
    expect(table.rows[0]).toEqual(['ours x4', '1', '900', '900', '900', 'n/a: no peer', '1 failed']);
  });

  it('renders the same cells as aligned text and as a Markdown table', () => {
    const text = renderScenarioText({ ...result, notes: ['edit -> new revision served'] });
    expect(text).toMatch(/ours \(process\)\s+3\s+100\s+110\s+119\s+0\.52x/);
    expect(text).toContain('  - edit -> new revision served');
    const markdown = renderScenarioMarkdown(result);
    expect(markdown).toContain('| ours (process) | 3 | 100 | 110 | 119 | 0.52x | 2.00x |  |');
    expect(markdown.split('\n')[3]).toBe('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  });
});

describe('formatting', () => {
  it('keeps one decimal below 100 and whole numbers above', () => {
    expect(formatValue(12.345)).toBe('12.3');
    expect(formatValue(1234.5)).toBe('1235');
    expect(formatRatio(0.4567)).toBe('0.46x');
    expect(formatRatio(12.4)).toBe('12x');
    expect(formatRatio(Number.NaN)).toBe('-');
  });
});
