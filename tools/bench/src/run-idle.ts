import { join } from 'node:path';
import { createBenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { generateFiles } from './generate-files.js';
import { processLabel } from './process-label.js';
import { cpuMsBetween, readCommandLine, readTreeUsage, type TreeUsage } from './process-tree.js';
import { writeRevision } from './run-hot-reload.js';
import { createSampleSink, type SampleSink } from './sample-sink.js';
import type { ScenarioResult } from './scenario-result.js';
import type { ToolDriver } from './tool-driver.js';
import { waitForRevision, waitForServices } from './wait-for-services.js';

export interface IdleOptions {
  readonly drivers: readonly ToolDriver[];
  /** Length of the idle window (the issue: 30 s). */
  readonly windowMs: number;
  /** Extra files for the watcher-scale variant (the issue: 20,000). */
  readonly extraFiles: number;
  /** Longest wait for the setup to go quiet (start-up work such as a first type check) before the window. */
  readonly settleMaxMs: number;
  readonly deadlineMs: number;
  readonly cleanup: CleanupRegistry;
  readonly log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let revision = 500_000;

/**
 * Scenario 5: CPU time and RSS of each tool's whole watching setup (watchers, build watchers,
 * supervisors or daemons, and the services themselves) over an idle window, once plain and once
 * with a generated tree of extra files in the folder the tool watches.
 */
export async function runIdle(options: IdleOptions): Promise<ScenarioResult[]> {
  const deadline = Date.now() + options.deadlineMs;
  const variants = [0, options.extraFiles];
  const sinks = variants.map(() => ({ cpu: createSampleSink(), rss: createSampleSink() }));
  for (const [v, files] of variants.entries()) {
    for (const driver of options.drivers) {
      const sink = sinks[v] as { cpu: SampleSink; rss: SampleSink };
      if (driver.watch !== true) continue;
      if (Date.now() > deadline) {
        sink.cpu.fail(driver.name, driver.role, 'skipped: scenario deadline');
        continue;
      }
      options.log(`idle${files ? ` (+${files} files)` : ''}: ${driver.name}`);
      await measureIdle(driver, files, sink, options);
    }
  }
  const seconds = Math.round(options.windowMs / 1000);
  const what = (files: number) =>
    files ? `, ${files.toLocaleString('en-US')} extra files in the watched folder` : '';
  const note = (files: number) => [
    `Whole process trees: our watching session + supervised services (+ keepers); peers: their watchers, esbuild watchers, PM2 daemon and services. CPU = utime+stime from /proc/<pid>/stat over ${seconds} s after a served warm-up edit and once the tree is quiet (under 5% of a core for 1 s; start-up work such as a first type check excluded); RSS = sum of VmRSS at the end.`,
    ...(files
      ? [
          'The files go to the folder each tool watches: controller src/ for ours and tsx watch (tsx only watches imported files), controller dist/ for the dist watchers.',
        ]
      : []),
    'Ours also type-checks an edited service (one incremental run of the native compiler; nothing resident): work the peers do not do. Its web client builder (Vite) is loaded by the first web client change only (none here).',
  ];
  return variants.flatMap((files, v) => [
    {
      id: files ? 'idle-cpu-files' : 'idle-cpu',
      label: `5${files ? 'c' : 'a'}. Idle CPU${files ? ` (+${files} files)` : ''}`,
      title: `5${files ? 'c' : 'a'}. Idle CPU over ${seconds} s of no edits${what(files)}`,
      unit: 'CPU ms',
      rows: (sinks[v] as { cpu: SampleSink }).cpu.rows(),
      notes: note(files),
    },
    {
      id: files ? 'idle-rss-files' : 'idle-rss',
      label: `5${files ? 'd' : 'b'}. Idle RSS${files ? ` (+${files} files)` : ''}`,
      title: `5${files ? 'd' : 'b'}. Idle memory (RSS) of the watching setup${what(files)}`,
      unit: 'MB',
      rows: (sinks[v] as { rss: SampleSink }).rss.rows(),
    },
  ]);
}

/** Quiet = under 5% of one core over a 1 s probe (after at least 2 s). */
const QUIET_CPU_MS_PER_S = 50;

async function waitQuiet(roots: readonly number[], maxMs: number): Promise<{ quiet: boolean; ms: number }> {
  const began = performance.now();
  await sleep(1000);
  for (;;) {
    const before = await readTreeUsage(roots);
    await sleep(1000);
    const spent = cpuMsBetween(before, await readTreeUsage(roots));
    const ms = performance.now() - began;
    if (spent < QUIET_CPU_MS_PER_S) return { quiet: true, ms };
    if (ms >= maxMs) return { quiet: false, ms };
  }
}

/** The three processes (by short name, summed) that spent most CPU in the window. */
async function topConsumers(before: TreeUsage, after: TreeUsage): Promise<string> {
  const byLabel = new Map<string, number>();
  for (const [pid, ms] of after.cpuMsByPid) {
    const label = processLabel(await readCommandLine(pid));
    byLabel.set(label, (byLabel.get(label) ?? 0) + ms - (before.cpuMsByPid.get(pid) ?? 0));
  }
  return [...byLabel]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([label, ms]) => `${label} ${Math.round(ms)} ms`)
    .join(', ');
}

async function measureIdle(
  driver: ToolDriver,
  files: number,
  sink: { cpu: SampleSink; rss: SampleSink },
  options: IdleOptions,
): Promise<void> {
  const bench = createBenchCheckout(`idle-${driver.name}`, options.cleanup);
  const folder = join(bench.checkout.root, 'apps/controller', driver.watchedDir, 'bench-idle-files');
  if (files) generateFiles(folder, files, driver.watchedDir === 'src' ? 'ts' : 'js');
  let running: Awaited<ReturnType<ToolDriver['start']>> | undefined;
  try {
    running = await driver.start(bench, { watch: true }, options.cleanup);
    const ready = await waitForServices(running.ports, { instance: running.instance }, 60_000);
    if (!ready.ok) return sink.cpu.fail(driver.name, driver.role, `not healthy: ${ready.reason}`);
    // A served edit proves the watchers are live (initial scans done) before the window opens.
    await sleep(1000);
    writeRevision(bench.checkout.root, ++revision);
    const served = await waitForRevision(running.ports.controller, revision, 60_000);
    if (!served.ok)
      return sink.cpu.fail(driver.name, driver.role, `warm-up edit not served: ${served.reason}`);
    const roots = await running.roots();
    const settled = await waitQuiet(roots, options.settleMaxMs);
    const before = await readTreeUsage(roots);
    await sleep(options.windowMs);
    const after = await readTreeUsage(roots);
    sink.cpu.add(driver.name, driver.role, cpuMsBetween(before, after));
    sink.cpu.note(
      driver.name,
      driver.role,
      `${settled.quiet ? `quiet after ${Math.round(settled.ms / 1000)} s` : `never quiet in ${Math.round(settled.ms / 1000)} s`}; top: ${await topConsumers(before, after)}`,
    );
    sink.rss.add(driver.name, driver.role, after.rssMb);
    sink.rss.note(driver.name, driver.role, `${after.pids.length} processes`);
  } catch (error) {
    sink.cpu.fail(
      driver.name,
      driver.role,
      `error: ${String((error as Error).message ?? error).split('\n')[0]}`,
    );
  } finally {
    await running?.dispose().catch(() => undefined);
  }
}
