/** min / median / p95 of one tool's samples in one scenario. */
export interface SampleSummary {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

/**
 * Percentile by linear interpolation between closest ranks (numpy's default), so the median of an
 * even count is the mean of the two middle samples. `p` is 0..100. Assumes `sorted` is ascending.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

/** Summarises samples; `null` when there are none (a tool that failed every run). */
export function summarizeSamples(samples: readonly number[]): SampleSummary | null {
  const finite = samples.filter(Number.isFinite);
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((x, y) => x - y);
  return {
    count: sorted.length,
    min: sorted[0] as number,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] as number,
  };
}
