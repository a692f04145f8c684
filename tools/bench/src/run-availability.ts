import { request } from 'node:http';
import { type BenchCheckout, createBenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { keepFailureLogs } from './keep-failure-logs.js';
import { writeRevision } from './run-hot-reload.js';
import { createSampleSink, type SampleSink } from './sample-sink.js';
import type { ScenarioResult } from './scenario-result.js';
import type { ToolDriver } from './tool-driver.js';
import { waitForRevision, waitForServices } from './wait-for-services.js';

export interface AvailabilityOptions {
  readonly drivers: readonly ToolDriver[];
  /** Controller reloads per tool while the request loops run. */
  readonly reloads: number;
  /** Budget of the whole scenario; tools not reached by then are reported as skipped. */
  readonly deadlineMs: number;
  readonly cleanup: CleanupRegistry;
  readonly log: (line: string) => void;
}

const EDIT_TIMEOUT_MS = 30_000;
/** One request is started this often on each path, whether the previous one answered or not. */
const REQUEST_EVERY_MS = 10;
/** A request unanswered this long counts as failed (and its wait as this long). */
const REQUEST_TIMEOUT_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let nextRevision = 500_000;

/** One path a client takes to the controller. */
interface RequestPath {
  readonly suffix: string;
  readonly port: (ports: { controller: number; web: number }) => number;
  readonly path: string;
}

const PATHS: readonly RequestPath[] = [
  { suffix: 'via web /api', port: (p) => p.web, path: '/api/runtime' },
  { suffix: 'direct', port: (p) => p.controller, path: '/health' },
];

/** Null when answered 200 within the timeout, else why not (`502`, `ECONNREFUSED`); the time it took either way. */
function timedGet(port: number, path: string): Promise<{ failure: string | null; ms: number }> {
  const began = performance.now();
  return new Promise((resolve) => {
    const done = (failure: string | null) => resolve({ failure, ms: performance.now() - began });
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200 ? null : String(res.statusCode)));
        res.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    req.end();
  });
}

/**
 * Scenario 10: while the controller is reloaded (its `src/revision.ts` saved, then served) again and
 * again, a request every 10 ms goes through the web server's `/api` proxy and another directly to
 * the controller; counts the failed ones (refused, reset, non-200) and the longest wait, per path.
 */
export async function runAvailability(options: AvailabilityOptions): Promise<ScenarioResult[]> {
  const failed = createSampleSink();
  const waits = createSampleSink();
  const deadline = Date.now() + options.deadlineMs;
  for (const driver of options.drivers) {
    if (driver.role === 'floor') continue;
    if (driver.watch !== true) {
      for (const p of PATHS) failed.note(`${driver.name} ${p.suffix}`, driver.role, driver.watch.unsupported);
      continue;
    }
    if (Date.now() > deadline) {
      for (const p of PATHS)
        failed.fail(`${driver.name} ${p.suffix}`, driver.role, 'skipped: scenario deadline');
      continue;
    }
    options.log(`availability: ${driver.name}`);
    await measureTool(driver, { failed, waits }, options);
  }
  const common = [
    `Each tool in its own temp checkout, watching; ${options.reloads} controller reloads (save src/revision.ts, wait until /health serves it, 300-500 ms pause) while a request starts every ${REQUEST_EVERY_MS} ms on each path: through the web server (\`GET /api/runtime\`, proxied to the controller) and directly to the controller (\`GET /health\`). No keep-alive.`,
    'One sample per reload (from its save until the next save). Failed: refused, reset, timed out or not 200. Ours runs the web server in its dev unit, whose proxy holds a refused request while the controller reloads; peers run the same web server without it.',
  ];
  return [
    {
      id: 'availability-failed',
      title: `10. Availability: failed requests per controller reload (${options.reloads} reloads)`,
      label: '10. Availability, failed requests',
      unit: 'failed',
      rows: failed.rows(),
      notes: common,
    },
    {
      id: 'availability-wait',
      title: `10. Availability: longest wait of a request per controller reload (${options.reloads} reloads)`,
      label: '10. Availability, longest wait',
      unit: 'ms',
      rows: waits.rows(),
      notes: common,
    },
  ];
}

async function measureTool(
  driver: ToolDriver,
  sinks: { failed: SampleSink; waits: SampleSink },
  options: AvailabilityOptions,
): Promise<void> {
  const bench: BenchCheckout = createBenchCheckout(`avail-${driver.name}`, options.cleanup);
  let running: Awaited<ReturnType<ToolDriver['start']>> | undefined;
  const fail = (reason: string) => {
    for (const p of PATHS) sinks.failed.fail(`${driver.name} ${p.suffix}`, driver.role, reason);
  };
  try {
    running = await driver.start(bench, { watch: true }, options.cleanup);
    const ready = await waitForServices(running.ports, { instance: running.instance }, EDIT_TIMEOUT_MS);
    if (!ready.ok) return fail(`not healthy: ${ready.reason} (logs: ${keepFailureLogs(bench, driver.name)})`);
    await sleep(1000);
    // Per path, per reload: failed count and longest wait.
    const tallies = PATHS.map(() =>
      Array.from({ length: options.reloads }, () => ({ failed: 0, longest: 0 })),
    );
    const reasons = PATHS.map(() => new Map<string, number>());
    let reload = -1;
    const inFlight = new Set<Promise<void>>();
    const ports = running.ports;
    const timer = setInterval(() => {
      if (reload < 0) return;
      const at = reload;
      for (const [i, p] of PATHS.entries()) {
        const pending = timedGet(p.port(ports), p.path).then(({ failure, ms }) => {
          const tally = tallies[i]?.[at];
          if (!tally) return;
          if (failure !== null) {
            tally.failed += 1;
            const seen = reasons[i] as Map<string, number>;
            seen.set(failure, (seen.get(failure) ?? 0) + 1);
          }
          tally.longest = Math.max(tally.longest, ms);
        });
        inFlight.add(pending);
        void pending.finally(() => inFlight.delete(pending));
      }
    }, REQUEST_EVERY_MS);
    try {
      for (let i = 0; i < options.reloads; i++) {
        const revision = nextRevision++;
        reload = i;
        writeRevision(bench.checkout.root, revision);
        const served = await waitForRevision(ports.controller, revision, EDIT_TIMEOUT_MS);
        if (!served.ok)
          return fail(`edit not served: ${served.reason} (logs: ${keepFailureLogs(bench, driver.name)})`);
        await sleep(300 + Math.random() * 200);
      }
    } finally {
      clearInterval(timer);
      await Promise.all(inFlight);
    }
    for (const [i, p] of PATHS.entries()) {
      const name = `${driver.name} ${p.suffix}`;
      let total = 0;
      let longest = 0;
      for (const tally of tallies[i] ?? []) {
        sinks.failed.add(name, driver.role, tally.failed);
        sinks.waits.add(name, driver.role, tally.longest);
        total += tally.failed;
        longest = Math.max(longest, tally.longest);
      }
      const why = [...(reasons[i] ?? [])].map(([reason, count]) => `${count}x ${reason}`).join(', ');
      sinks.failed.note(name, driver.role, `${total} failed in all${why ? ` (${why})` : ''}`);
      sinks.waits.note(name, driver.role, `longest ${Math.round(longest)} ms`);
    }
  } catch (error) {
    fail(`error: ${String((error as Error).message ?? error).split('\n')[0]}`);
  } finally {
    await running?.dispose().catch(() => undefined);
  }
}
