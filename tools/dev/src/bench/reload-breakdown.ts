import { summarizeSamples } from './summarize-samples.js';

const RELOAD_LINE = /controller reloaded in (\d+) ms \(build (\d+) ms, restart (\d+) ms\)/;

/**
 * Reads our watch session's own `controller reloaded in N ms (build a ms, restart b ms)` lines
 * (the last `count` of them) and summarises where the time went, for the hot-reload note.
 * `undefined` when the log has no such line.
 */
export function describeReloadBreakdown(
  log: string,
  count: number,
  endToEndMedian: number | undefined,
): string | undefined {
  const lines = log
    .split('\n')
    .map((line) => RELOAD_LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .slice(-count);
  const builds = summarizeSamples(lines.map((m) => Number(m[2])));
  const restarts = summarizeSamples(lines.map((m) => Number(m[3])));
  if (!builds || !restarts) return undefined;
  const rest =
    endToEndMedian === undefined
      ? ''
      : `, rest (save -> watch event -> debounce, last poll) ~${Math.round(endToEndMedian - builds.median - restarts.median)} ms`;
  return `session log (${lines.length} reloads): build median ${Math.round(builds.median)} ms, restart until healthy median ${Math.round(restarts.median)} ms${rest}`;
}
