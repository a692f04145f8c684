import { followLogs, type LogFollower, type LogLine } from '../logs/follow-logs.js';

/**
 * Follows `sources` (service -> log path) as `pnpm logs` does, polling every 50 ms, starting with
 * the last `lines` of each; the follower joins `followers` (for the test to close) and `seen`
 * collects every line it emits.
 */
export function followForTest(
  followers: LogFollower[],
  sources: Record<string, string>,
  lines = 10,
): { follower: LogFollower; seen: LogLine[] } {
  const seen: LogLine[] = [];
  const follower = followLogs({
    sources: Object.entries(sources).map(([service, path]) => ({ service, path })),
    lines,
    onLine: (line) => seen.push(line),
    pollIntervalMs: 50,
  });
  followers.push(follower);
  return { follower, seen };
}
