import { describe, expect, it } from 'vitest';
import { describeReloadBreakdown } from './reload-breakdown.js';

describe('describeReloadBreakdown', () => {
  it('summarises the last reload lines of our session log and what is left of the end-to-end median', () => {
    const log = [
      'controller reloaded in 999 ms (build 99 ms, restart 900 ms)',
      'web client rebuilt in 40 ms (no change)',
      'controller reloaded in 150 ms (build 10 ms, restart 140 ms)',
      'controller reloaded in 170 ms (build 12 ms, restart 158 ms)',
    ].join('\n');
    expect(describeReloadBreakdown(log, 2, 200)).toBe(
      'session log (2 reloads): build median 11 ms, restart until healthy median 149 ms, rest (save -> watch event -> debounce, last poll) ~40 ms',
    );
    expect(describeReloadBreakdown(log, 2, 120)).toContain(
      "the session's own health wait ends ~40 ms after the new revision is already served",
    );
    expect(describeReloadBreakdown('nothing here', 2, 200)).toBeUndefined();
  });
});
