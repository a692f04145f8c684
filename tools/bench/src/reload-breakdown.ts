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
  const rest = endToEndMedian === undefined ? undefined : endToEndMedian - builds.median - restarts.median;
  const restText =
    rest === undefined
      ? ''
      : rest >= 0
        ? `, rest (save -> watch event -> debounce, last poll) ~${Math.round(rest)} ms`
        : `; the session's own health wait ends ~${Math.round(-rest)} ms after the new revision is already served (its poll interval)`;
  return `session log (${lines.length} reloads): build median ${Math.round(builds.median)} ms, restart until healthy median ${Math.round(restarts.median)} ms${restText}`;
}
