import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findRepoRoot } from '@nexu/dev';
import { createBenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { createOurDriver, ourCommand } from './our-driver.js';
import { createSampleSink } from './sample-sink.js';
import type { ScenarioResult } from './scenario-result.js';
import { summarizeSamples } from './summarize-samples.js';

const run = promisify(execFile);

export interface CommandLatencyOptions {
  /** Backends of ours: each gets a checkout whose services run (status, doctor, logs, attach are asked there). */
  readonly backends: readonly string[];
  readonly runs: number;
  readonly cleanup: CleanupRegistry;
  readonly log: (line: string) => void;
}

const repoRoot = findRepoRoot(import.meta.dirname);
const commandEnv = () => ({ ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' });

/** One timed run of a command in `cwd`; its exit status does not matter (status exits 1 when down). */
async function time(argv: readonly string[], cwd: string): Promise<number> {
  const began = performance.now();
  await run(argv[0] as string, argv.slice(1), { cwd, env: commandEnv(), timeout: 120_000 }).catch(
    (error: { code?: unknown }) => {
      if (typeof error.code !== 'number') throw error;
    },
  );
  return performance.now() - began;
}

/**
 * Points a bench checkout's package.json scripts at this repo's command launcher, so `pnpm status`
 * in the checkout runs what it runs in the repo (the copy has no scripts/ of its own).
 */
function useRepoScripts(root: string): void {
  const path = join(root, 'package.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { scripts: Record<string, string> };
  for (const [name, script] of Object.entries(manifest.scripts)) {
    manifest.scripts[name] = script.replace(
      'node tools/dev/bin/nexu-dev.mjs',
      `node ${join(repoRoot, 'tools/dev/bin/nexu-dev.mjs')}`,
    );
  }
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Scenario 7: the latency of the everyday commands as a developer types them, end to end, each
 * beside the start-up of node itself (`node -e 0`) and, through pnpm, of pnpm (`pnpm --version`).
 * Runs interleave across commands, so drift in machine load hits each alike.
 */
export async function runCommandLatency(options: CommandLatencyOptions): Promise<ScenarioResult> {
  const sink = createSampleSink();
  const idle = createBenchCheckout('latency-idle', options.cleanup);
  const measured: Array<{ name: string; role: 'ours' | 'floor'; argv: string[]; cwd: string }> = [
    { name: 'node -e 0', role: 'floor', argv: [process.execPath, '-e', '0'], cwd: idle.scratch },
    { name: 'pnpm --version', role: 'floor', argv: ['pnpm', '--version'], cwd: idle.scratch },
    { name: 'stop, nothing running', role: 'ours', argv: ourCommand('stop'), cwd: idle.checkout.root },
  ];
  const running: Array<{ dispose(): Promise<void> }> = [];
  try {
    for (const backend of options.backends) {
      const bench = createBenchCheckout(`latency-${backend}`, options.cleanup);
      useRepoScripts(bench.checkout.root);
      options.log(`command latency: starting ours (${backend})`);
      running.push(await createOurDriver(backend).start(bench, { watch: false }, options.cleanup));
      const cwd = bench.checkout.root;
      measured.push(
        { name: `status (${backend})`, role: 'ours', argv: ourCommand('status'), cwd },
        { name: `doctor (${backend})`, role: 'ours', argv: ourCommand('doctor'), cwd },
        { name: `logs --no-follow (${backend})`, role: 'ours', argv: ourCommand('logs', '--no-follow'), cwd },
        {
          name: `start --no-watch, full attach (${backend})`,
          role: 'ours',
          argv: ourCommand('start', '--no-watch', '--backend', backend),
          cwd,
        },
        { name: `pnpm status (${backend})`, role: 'ours', argv: ['pnpm', 'status'], cwd },
      );
    }
    for (let i = 0; i < options.runs; i++) {
      options.log(`command latency ${i + 1}/${options.runs}`);
      for (const command of measured)
        sink.add(command.name, command.role, await time(command.argv, command.cwd));
    }
  } finally {
    for (const tool of running) await tool.dispose().catch(() => undefined);
  }
  const rows = sink.rows();
  const median = (name: string) => summarizeSamples(rows.find((r) => r.tool === name)?.samples ?? [])?.median;
  const nodeFloor = median('node -e 0');
  const pnpmFloor = median('pnpm --version');
  const costs = rows
    .filter((row) => row.role === 'ours')
    .map((row) => {
      const own = summarizeSamples(row.samples)?.median;
      const floor = row.tool.startsWith('pnpm ') ? pnpmFloor : nodeFloor;
      return own === undefined || floor === undefined
        ? undefined
        : `${row.tool} ${Math.round(own - floor)} ms`;
    })
    .filter((cost): cost is string => cost !== undefined);
  return {
    id: 'command-latency',
    title: '7. Command latency: one everyday command, typed -> returned',
    unit: 'ms',
    rows,
    ratioFloor: 'node -e 0',
    notes: [
      'Ours as `pnpm <command>` runs it (`node tools/dev/bin/nexu-dev.mjs <command>`: the built CLI on plain node), in a temp checkout whose services run (`stop` in one where nothing runs); `pnpm status` through pnpm itself, beside `pnpm --version`.',
      `Our own cost over the floor (median - median of node -e 0, or of pnpm --version for the pnpm row): ${costs.join('; ')}.`,
    ],
  };
}
