import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type BenchCheckout, createBenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { keepFailureLogs } from './keep-failure-logs.js';
import { measureTeardown } from './measure-teardown.js';
import { findPidsWithInstance } from './process-tree.js';
import { createSampleSink } from './sample-sink.js';
import type { ScenarioResult } from './scenario-result.js';
import { describeStartBreakdown } from './start-breakdown.js';
import { summarizeSamples } from './summarize-samples.js';
import type { ToolDriver } from './tool-driver.js';
import { waitForServices } from './wait-for-services.js';

const run = promisify(execFile);

export interface LifecycleOptions {
  readonly drivers: readonly ToolDriver[];
  readonly runs: number;
  /** The whole scenario's budget; runs not started by then are reported as skipped. */
  readonly deadlineMs: number;
  readonly cleanup: CleanupRegistry;
  readonly log: (line: string) => void;
  /** Changes each tool's checkout before its first start (the app-size scenario adds modules). */
  readonly prepare?: (bench: BenchCheckout) => void;
}

const STEP_TIMEOUT_MS = 30_000;
const FLOORS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['node -e 0', [process.execPath, '-e', '0']],
];

/**
 * Scenarios 1, 2 and 4 in one loop, runs interleaved across tools (so drift in machine load hits
 * every tool alike): cold start -> all healthy; start again while running (re-attach) -> healthy;
 * teardown -> every process gone and every port free. Each tool keeps one temp checkout.
 */
export async function runLifecycle(options: LifecycleOptions): Promise<ScenarioResult[]> {
  const cold = createSampleSink();
  const attach = createSampleSink();
  const teardown = createSampleSink();
  const deadline = Date.now() + options.deadlineMs;
  const checkouts = new Map<ToolDriver, BenchCheckout>();
  const startOutputs = new Map<string, string[]>();

  for (let round = 1; round <= options.runs; round++) {
    for (const driver of options.drivers) {
      if (Date.now() > deadline) {
        cold.fail(driver.name, driver.role, 'skipped: scenario deadline');
        continue;
      }
      let bench = checkouts.get(driver);
      if (!bench) {
        bench = createBenchCheckout(driver.name, options.cleanup);
        options.prepare?.(bench);
        checkouts.set(driver, bench);
      }
      options.log(`lifecycle ${round}/${options.runs}: ${driver.name}`);
      await runOnce(driver, bench, { cold, attach, teardown }, options, (output) =>
        startOutputs.set(driver.name, [...(startOutputs.get(driver.name) ?? []), output]),
      );
    }
  }

  // The floor of any Node CLI's re-attach: starting node at all.
  for (let i = 0; i < options.runs; i++) {
    for (const [name, argv] of FLOORS) {
      const began = performance.now();
      await run(argv[0] as string, argv.slice(1));
      attach.add(name, 'floor', performance.now() - began);
    }
  }

  for (const [tool, outputs] of startOutputs) {
    const coldRow = cold.rows().find((r) => r.tool === tool);
    const note = describeStartBreakdown(outputs, summarizeSamples(coldRow?.samples ?? [])?.median);
    if (note && coldRow) cold.note(tool, coldRow.role, note);
  }

  return [
    {
      id: 'cold-start',
      title: '1. Cold start: nothing running -> all three services healthy',
      unit: 'ms',
      rows: cold.rows(),
      notes: [
        'From spawning the start command to every service answering /health with ok and the expected instance id (5 ms polls).',
        "Ours: `node tools/dev/bin/nexu-dev.mjs start --no-watch --backend B` (what `pnpm start --no-watch` runs, without pnpm's own start-up), its checkout stopped before; it returns once all are healthy.",
        'PM2: `pm2 start ecosystem.config.cjs` with no daemon running (the daemon start is part of a cold start).',
        'nodemon / tsx watch / node --watch: one process per service, started together (the `+ esbuild --watch` peers without their esbuild watchers here: dist is prebuilt; the watchers are part of scenarios 3 and 5); concurrently: one command for all three.',
      ],
    },
    {
      id: 'attach',
      title: '2. Full attach: everything already running -> start command returns, all healthy',
      unit: 'ms',
      rows: attach.rows(),
      ratioFloor: 'node -e 0',
      notes: [
        'Ours: the same start command again; it attaches (restarts nothing: the service pids are checked unchanged).',
        'PM2: `pm2 start ecosystem.config.cjs` again on the running apps (PM2 restarts them; the note says whether pids changed).',
        'Floor: `node -e 0`, the start-up of any Node CLI (`ours / floor` uses it).',
      ],
    },
    {
      id: 'teardown',
      title: '4. Teardown: stop command -> no process left, all ports free',
      unit: 'ms',
      rows: teardown.rows(),
      notes: [
        'Ours: `node tools/dev/bin/nexu-dev.mjs stop`; PM2: `pm2 delete all` (its daemon is left running, as PM2 does, and killed afterwards, untimed); foreground tools: SIGINT to their process groups (Ctrl-C).',
        'Done = every process of the tool and its services seen before the teardown is gone and every service port can be bound again; afterwards no process may carry the instance id.',
      ],
    },
  ];
}

interface Sinks {
  cold: ReturnType<typeof createSampleSink>;
  attach: ReturnType<typeof createSampleSink>;
  teardown: ReturnType<typeof createSampleSink>;
}

async function runOnce(
  driver: ToolDriver,
  bench: BenchCheckout,
  sinks: Sinks,
  options: LifecycleOptions,
  onStartOutput: (output: string) => void,
) {
  const { name, role } = driver;
  const began = performance.now();
  let running: Awaited<ReturnType<ToolDriver['start']>> | undefined;
  try {
    running = await driver.start(bench, { watch: false }, options.cleanup);
    const ready = await waitForServices(running.ports, { instance: running.instance }, STEP_TIMEOUT_MS);
    if (!ready.ok)
      return sinks.cold.fail(
        name,
        role,
        `not healthy: ${ready.reason} (logs: ${keepFailureLogs(bench, name)})`,
      );
    sinks.cold.add(name, role, performance.now() - began);
    if (running.startOutput) onStartOutput(running.startOutput);

    if (running.reattach) {
      const again = performance.now();
      await running.reattach();
      const after = await waitForServices(running.ports, { instance: running.instance }, STEP_TIMEOUT_MS);
      if (!after.ok) sinks.attach.fail(name, role, `not healthy after re-attach: ${after.reason}`);
      else {
        sinks.attach.add(name, role, performance.now() - again);
        const same = after.pids.every((pid, i) => pid === ready.pids[i]);
        sinks.attach.note(name, role, same ? 'pids unchanged' : 'restarted the services (new pids)');
      }
    } else if (role !== 'floor') sinks.attach.note(name, role, running.reattachNote ?? 'n/a: no re-attach');

    const down = await measureTeardown(running, ready.pids, STEP_TIMEOUT_MS);
    if (!down.ok) return sinks.teardown.fail(name, role, down.reason);
    const leftovers = await findPidsWithInstance(running.instance);
    if (leftovers.length > 0)
      sinks.teardown.fail(name, role, `left pids with the instance id: ${leftovers.join(' ')}`);
    else sinks.teardown.add(name, role, down.ms);
  } catch (error) {
    sinks.cold.fail(name, role, `error: ${String((error as Error).message ?? error).split('\n')[0]}`);
  } finally {
    await running?.dispose().catch(() => undefined);
  }
}
