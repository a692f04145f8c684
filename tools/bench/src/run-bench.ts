import { resolveBenchDrivers } from './bench-drivers.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { runAppSize } from './run-app-size.js';
import { runAvailability } from './run-availability.js';
import { runCommandLatency } from './run-command-latency.js';
import { runHotReload } from './run-hot-reload.js';
import { runIdle } from './run-idle.js';
import { runLifecycle } from './run-lifecycle.js';
import { runScale } from './run-scale.js';
import { runTypeErrors } from './run-type-errors.js';
import type { ScenarioResult } from './scenario-result.js';
import type { SimulatedBackend } from './simulated-launchd.js';

/** The groups of scenarios `--only` can pick. */
export const SCENARIO_GROUPS = [
  'lifecycle',
  'hot-reload',
  'idle',
  'scale',
  'latency',
  'app-size',
  'type-errors',
  'availability',
] as const;
export type ScenarioGroup = (typeof SCENARIO_GROUPS)[number];

/** Resolved settings of one bench run (see `resolveBenchOptions` in scripts/bench.ts for defaults). */
export interface BenchOptions {
  readonly backends: readonly string[];
  /** Backends played by a stand-in (launchd through the fake launchctl off macOS): lifecycle rows only. */
  readonly simulated?: readonly SimulatedBackend[];
  /** Runs of the cold start / attach / teardown loop per tool. */
  readonly runs: number;
  /** Measured hot-reload edits per tool. */
  readonly edits: number;
  /** Controller reloads per tool in the availability scenario. */
  readonly reloads: number;
  readonly warmups: number;
  readonly idleWindowMs: number;
  readonly settleMaxMs: number;
  readonly extraFiles: number;
  readonly scaleCounts: readonly number[];
  readonly scaleRuns: number;
  /** Module counts the controller is grown to in the app-size scenario. */
  readonly appSizes: readonly number[];
  readonly only: ReadonlySet<ScenarioGroup>;
  readonly log: (line: string) => void;
}

const MINUTE = 60_000;

/** Runs the chosen scenarios in order, each within its own deadline; everything started is in `cleanup`. */
export async function runBench(options: BenchOptions, cleanup: CleanupRegistry): Promise<ScenarioResult[]> {
  const drivers = resolveBenchDrivers(options.backends, options.simulated);
  const common = { cleanup, log: options.log };
  const results: ScenarioResult[] = [];
  const wanted = (group: ScenarioGroup) => options.only.size === 0 || options.only.has(group);
  if (wanted('lifecycle')) {
    results.push(
      ...(await runLifecycle({
        ...common,
        drivers: drivers.lifecycle,
        runs: options.runs,
        deadlineMs: 15 * MINUTE,
      })),
    );
  }
  if (wanted('hot-reload')) {
    results.push(
      await runHotReload({
        ...common,
        drivers: drivers.watching,
        edits: options.edits,
        warmups: options.warmups,
        deadlineMs: 15 * MINUTE,
      }),
    );
  }
  if (wanted('idle')) {
    results.push(
      ...(await runIdle({
        ...common,
        drivers: drivers.watching,
        windowMs: options.idleWindowMs,
        settleMaxMs: options.settleMaxMs,
        extraFiles: options.extraFiles,
        deadlineMs: 25 * MINUTE,
      })),
    );
  }
  if (wanted('scale')) {
    results.push(
      ...(await runScale({
        ...common,
        drivers: drivers.scale,
        counts: options.scaleCounts,
        runs: options.scaleRuns,
        deadlineMs: 10 * MINUTE,
      })),
    );
  }
  if (wanted('latency')) {
    results.push(await runCommandLatency({ ...common, backends: options.backends, runs: options.runs * 2 }));
  }
  if (wanted('app-size')) {
    results.push(
      ...(await runAppSize({
        ...common,
        lifecycle: drivers.lifecycle.filter((d) => d.role !== 'floor'),
        watching: drivers.watching,
        sizes: options.appSizes,
        runs: Math.min(options.runs, 3),
        edits: Math.min(options.edits, 10),
        warmups: options.warmups,
      })),
    );
  }
  if (wanted('type-errors')) {
    const ours = drivers.watching.find((d) => d.role === 'ours');
    if (ours)
      results.push(await runTypeErrors({ ...common, driver: ours, edits: Math.min(options.edits, 10) }));
  }
  if (wanted('availability')) {
    results.push(
      ...(await runAvailability({
        ...common,
        drivers: drivers.watching,
        reloads: options.reloads,
        deadlineMs: 15 * MINUTE,
      })),
    );
  }
  // Tables in scenario order (1 cold start, 2 attach, 3 hot reload, 4 teardown, 5 idle, 6 scale).
  return results.sort((a, b) => a.title.localeCompare(b.title, 'en', { numeric: true }));
}
