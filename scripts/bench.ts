#!/usr/bin/env tsx
/** `pnpm bench`: ours against the tools people use instead, on the same apps, in one run; prints ratios. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createCleanupRegistry,
  readMachineInfo,
  renderBenchmarksMarkdown,
  renderScenarioText,
  resolveBenchBackends,
  runBench,
  SCENARIO_GROUPS,
  type ScenarioGroup,
  simulatedLaunchd,
} from '@nexu/bench';
import {
  consoleReporter,
  ensureBuilt,
  parseArgsOrExit,
  resolveBackendFlag,
  resolveCheckout,
  runCli,
  SERVICES,
  usageError,
} from '@nexu/dev';
import { GET_A_NODE, nodeVersion, rerunUnderNode } from './lib/rerun-under-node.js';

const spec = {
  name: 'pnpm bench',
  summary:
    'Cold start, attach, hot reload, teardown, idle cost and scale of ours (each backend) against\n' +
    'tsx watch, node --watch, nodemon, PM2 and concurrently on the same built apps, in temp copies of\n' +
    'this checkout (never the checkout itself). Prints one table per scenario with min / median /\n' +
    'p95 and the ratio of ours to the best peer; cleans up everything it started, also on Ctrl-C.',
  flags: {
    backend: {
      type: 'string',
      valueName: 'NAME',
      description: 'only this backend of ours (default: process, and systemd when reachable)',
    },
    runs: {
      type: 'number',
      integer: true,
      min: 1,
      valueName: 'N',
      description: 'runs of cold start / attach / teardown per tool (default 5; --quick 2)',
    },
    edits: {
      type: 'number',
      integer: true,
      min: 1,
      valueName: 'N',
      description: 'measured hot-reload edits per tool (default 20; --quick 5)',
    },
    quick: {
      type: 'boolean',
      description:
        'a run for CI: fewer runs and edits, 5 s idle window, 2,000 extra files, scale 1 and 2, app sizes 10 and 300',
    },
    reloads: {
      type: 'number',
      integer: true,
      min: 1,
      valueName: 'N',
      description: 'controller reloads per tool in the availability scenario (default 20; --quick 5)',
    },
    node: {
      type: 'string',
      valueName: 'PATH',
      description: 'run the bench and every tool under this node binary (default: the node running it)',
    },
    only: {
      type: 'string',
      multiple: true,
      valueName: 'GROUP',
      description: `only these scenarios: ${SCENARIO_GROUPS.join(', ')}`,
    },
    json: {
      type: 'string',
      valueName: 'FILE',
      description: 'write every raw sample (and the machine) as JSON',
    },
    markdown: {
      type: 'string',
      valueName: 'FILE',
      description:
        'write the tables as Markdown (default: BENCHMARKS.md for a full run of every scenario, none otherwise)',
    },
  },
  notes: [
    'Example: pnpm bench --quick --json /tmp/bench.json',
    'Takes ~17 minutes in full on 2 cores (12 idle windows of 30 s); --quick ~5 minutes.',
    `Another node: pnpm bench --node PATH (${GET_A_NODE.replace('e.g. ', 'for ')}).`,
  ],
} as const;

const flags = parseArgsOrExit(spec);
const backend = resolveBackendFlag(spec, flags.backend, { fromEnv: false });
for (const group of flags.only) {
  if (!(SCENARIO_GROUPS as readonly string[]).includes(group))
    usageError(spec, `--only "${group}" is not a scenario group: use one of ${SCENARIO_GROUPS.join(', ')}`);
}
if (flags.node) {
  const version = nodeVersion(flags.node);
  if (!version.ok) usageError(spec, `--node: ${version.reason}`);
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === '--node' || a.startsWith('--node='));
  args.splice(at, args[at] === '--node' ? 2 : 1);
  const rerun = rerunUnderNode(flags.node, fileURLToPath(import.meta.url), args, {
    NEXU_BENCH_COMMAND: `pnpm bench ${process.argv.slice(2).join(' ')}`,
  });
  if (rerun) process.exit(await rerun);
}
const quick = flags.quick;
const log = (line: string) => console.error(`[bench] ${line}`);

await runCli(async () => {
  const checkout = resolveCheckout();
  const cleanup = createCleanupRegistry();
  const removeSignals = cleanup.handleSignals(log);
  const began = performance.now();
  const machine = readMachineInfo();
  try {
    // The temp copies take the repo's built dist/: build what is stale, as `pnpm start` would.
    await ensureBuilt(SERVICES, checkout, consoleReporter);
    // Off macOS the lifecycle scenario also runs launchd through the fake launchctl (a Mac's 3 s
    // drain): its row says `simulated`.
    const simulated =
      process.platform !== 'darwin' && (backend === undefined || backend === 'launchd')
        ? simulatedLaunchd()
        : null;
    if (simulated) {
      cleanup.add('the simulated launchd domain', async () =>
        rmSync(simulated.env.FAKE_LAUNCHCTL_STATE as string, { recursive: true, force: true }),
      );
    }
    const backends =
      backend === 'launchd' && simulated ? [] : await resolveBenchBackends(backend, checkout, log);
    log(
      `backends: ${[...backends, ...(simulated ? ['launchd (simulated, lifecycle only)'] : [])].join(', ')}; load average ${machine.load.join(' / ')} on ${machine.cores} cores`,
    );
    const results = await runBench(
      {
        backends,
        ...(simulated ? { simulated: [simulated] } : {}),
        runs: flags.runs ?? (quick ? 2 : 5),
        edits: flags.edits ?? (quick ? 5 : 20),
        reloads: flags.reloads ?? (quick ? 5 : 20),
        warmups: 2,
        idleWindowMs: quick ? 5_000 : 30_000,
        settleMaxMs: quick ? 15_000 : 45_000,
        extraFiles: quick ? 2_000 : 20_000,
        scaleCounts: quick ? [1, 2] : [1, 2, 4],
        scaleRuns: quick ? 1 : Math.min(flags.runs ?? 3, 3),
        appSizes: quick ? [10, 300] : [10, 300, 1000],
        only: new Set(flags.only as ScenarioGroup[]),
        log,
      },
      cleanup,
    );
    for (const result of results) console.log(`\n${renderScenarioText(result)}`);
    const meta = {
      date: new Date().toISOString(),
      // Run again under --node: the command as typed, --node included.
      command: process.env.NEXU_BENCH_COMMAND ?? `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      loadAfter: readMachineInfo().load,
      durationMs: performance.now() - began,
    };
    if (flags.json) {
      const path = resolve(flags.json);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
      log(`raw samples written to ${path}`);
    }
    const markdown =
      flags.markdown ??
      (!quick && flags.only.length === 0 ? join(checkout.root, 'BENCHMARKS.md') : undefined);
    if (markdown) {
      writeFileSync(resolve(markdown), renderBenchmarksMarkdown(results, meta));
      log(`tables written to ${resolve(markdown)}`);
    }
  } finally {
    const report = await cleanup.cleanup();
    removeSignals();
    for (const error of report.errors) log(`cleanup: ${error}`);
    if (report.livePids.length || report.busyPorts.length) {
      log(
        `left behind: pids ${report.livePids.join(' ') || '-'}, ports ${report.busyPorts.join(' ') || '-'}`,
      );
      process.exitCode = 1;
    } else log('cleaned up: every process the bench started is gone and every port it used is free');
  }
  return process.exitCode === 1 ? 1 : 0;
});
