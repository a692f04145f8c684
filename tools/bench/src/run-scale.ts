import { type BenchCheckout, createBenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { keepFailureLogs } from './keep-failure-logs.js';
import { createSampleSink, type SampleSink } from './sample-sink.js';
import type { ScenarioResult } from './scenario-result.js';
import type { RunningTool, ToolDriver } from './tool-driver.js';
import { waitForServices } from './wait-for-services.js';

export interface ScaleOptions {
  readonly drivers: readonly ToolDriver[];
  /** How many checkouts side by side (the issue: 1, 2, 4). */
  readonly counts: readonly number[];
  readonly runs: number;
  readonly deadlineMs: number;
  readonly cleanup: CleanupRegistry;
  readonly log: (line: string) => void;
}

const TIMEOUT_MS = 60_000;

/**
 * Scenario 6: cold start of N temp checkouts at once (time until every service of every checkout
 * is healthy), then the interference checks: each answers with its own instance id, no port and no
 * pid is shared, and stopping the first checkout leaves every other one healthy on the same pids.
 */
export async function runScale(options: ScaleOptions): Promise<ScenarioResult[]> {
  const deadline = Date.now() + options.deadlineMs;
  const results: ScenarioResult[] = [];
  for (const count of options.counts) {
    const sink = createSampleSink();
    for (let round = 1; round <= options.runs; round++) {
      for (const driver of options.drivers) {
        if (Date.now() > deadline) {
          sink.fail(driver.name, driver.role, 'skipped: scenario deadline');
          continue;
        }
        options.log(`scale x${count} ${round}/${options.runs}: ${driver.name}`);
        await measureScale(driver, count, sink, options);
      }
    }
    results.push({
      id: `scale-${count}`,
      label: `6. Scale x${count}`,
      title: `6. Scale: cold start of ${count} checkout${count === 1 ? '' : 's'} side by side`,
      unit: 'ms',
      rows: sink.rows(),
      notes: [
        'Time from starting every checkout at once until all services of all checkouts are healthy (each a temp copy with its own id).',
        'Interference checks: every service answers with its own checkout instance, no port or pid is shared, and after the first checkout is stopped all others still answer on the same pids.',
        ...(count > 1
          ? ['Peers get hand-picked free ports: they have no port allocation of their own.']
          : []),
      ],
    });
  }
  return results;
}

async function measureScale(driver: ToolDriver, count: number, sink: SampleSink, options: ScaleOptions) {
  const benches: BenchCheckout[] = Array.from({ length: count }, (_, i) =>
    createBenchCheckout(`scale-${i}-${driver.name}`, options.cleanup),
  );
  const running: RunningTool[] = [];
  try {
    const began = performance.now();
    const readies = await Promise.all(
      benches.map(async (bench) => {
        const tool = await driver.start(bench, { watch: false }, options.cleanup);
        running.push(tool);
        return { tool, ready: await waitForServices(tool.ports, { instance: tool.instance }, TIMEOUT_MS) };
      }),
    );
    const ms = performance.now() - began;
    const failed = readies.find((r) => !r.ready.ok);
    if (failed && !failed.ready.ok) {
      const logs = benches.map((bench) => keepFailureLogs(bench, driver.name)).join(' ');
      return sink.fail(driver.name, driver.role, `not healthy: ${failed.ready.reason} (logs: ${logs})`);
    }
    const problems = await checkIsolation(
      readies.map((r) => ({ tool: r.tool, pids: r.ready.ok ? r.ready.pids : [] })),
    );
    if (problems.length) return sink.fail(driver.name, driver.role, `interference: ${problems.join('; ')}`);
    sink.add(driver.name, driver.role, ms);
    sink.note(driver.name, driver.role, 'no interference');
  } catch (error) {
    sink.fail(driver.name, driver.role, `error: ${String((error as Error).message ?? error).split('\n')[0]}`);
  } finally {
    await Promise.all(running.map((tool) => tool.dispose().catch(() => undefined)));
  }
}

async function checkIsolation(
  setups: Array<{ tool: RunningTool; pids: readonly number[] }>,
): Promise<string[]> {
  const problems: string[] = [];
  const ports = setups.flatMap((s) => Object.values(s.tool.ports));
  if (new Set(ports).size !== ports.length) problems.push(`shared ports (${ports.join(' ')})`);
  const pids = setups.flatMap((s) => s.pids);
  if (new Set(pids).size !== pids.length) problems.push('shared pids');
  const instances = setups.map((s) => s.tool.instance);
  if (new Set(instances).size !== instances.length) problems.push('shared instance ids');
  if (setups.length < 2) return problems;
  const [first, ...others] = setups;
  await first?.tool.teardown();
  for (const other of others) {
    const still = await waitForServices(other.tool.ports, { instance: other.tool.instance }, 5000);
    if (!still.ok)
      problems.push(`${other.tool.instance} unhealthy after another checkout stopped: ${still.reason}`);
    else if (still.pids.some((pid, i) => pid !== other.pids[i]))
      problems.push(`${other.tool.instance} restarted when another checkout stopped`);
  }
  return problems;
}
