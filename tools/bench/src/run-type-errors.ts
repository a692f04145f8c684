import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@nexu/service-kit';
import { createBenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { createSampleSink } from './sample-sink.js';
import type { ScenarioResult } from './scenario-result.js';
import type { ToolDriver } from './tool-driver.js';

const run = promisify(execFile);

export interface TypeErrorOptions {
  /** Ours, watching (the first backend is enough: type checking does not depend on it). */
  readonly driver: ToolDriver;
  readonly edits: number;
  readonly cleanup: CleanupRegistry;
  readonly log: (line: string) => void;
}

const PROBE = 'apps/controller/src/type-probe.ts';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Scenario 9: save a type error into the controller's sources -> the watching session prints it;
 * save the fix -> it prints that it is fixed. The file is not imported by the service, so no
 * rebuild or restart competes: this is the type checker's own latency. Floor: one run of the
 * native compiler over the controller's project.
 */
export async function runTypeErrors(options: TypeErrorOptions): Promise<ScenarioResult> {
  const sink = createSampleSink();
  const bench = createBenchCheckout('type-errors', options.cleanup);
  const root = bench.checkout.root;
  const log = join(bench.scratch, 'start.log');
  const running = await options.driver.start(bench, { watch: true }, options.cleanup);
  try {
    await sleep(1000);
    const seen = (pattern: RegExp, from: number) => pattern.test(readFileSync(log, 'utf8').slice(from));
    for (let i = 0; i < options.edits + 1; i++) {
      options.log(`type errors ${i + 1}/${options.edits + 1}`);
      for (const [text, pattern, name] of [
        [`export const probe${i}: number = 'not a number';\n`, /error TS2322/, 'type error printed'],
        [`export const probe${i}: number = ${i};\n`, /type errors fixed/, 'fix printed'],
      ] as const) {
        const from = readFileSync(log, 'utf8').length;
        const began = performance.now();
        writeFileSync(join(root, PROBE), text);
        const shown = await waitFor(() => seen(pattern, from), {
          timeoutMs: 20_000,
          intervalMs: 5,
          maxIntervalMs: 5,
        });
        // The first round warms the compiler's build info up: not counted.
        if (!shown.ok) sink.fail(`ours: ${name}`, 'ours', 'not printed within 20 s');
        else if (i > 0) sink.add(`ours: ${name}`, 'ours', performance.now() - began);
        await sleep(300);
      }
    }
    for (let i = 0; i < options.edits; i++) {
      const began = performance.now();
      await run(
        process.execPath,
        [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'apps/controller/tsconfig.json'],
        { cwd: root },
      ).catch(() => undefined);
      sink.add('tsc --noEmit -p apps/controller (one run)', 'floor', performance.now() - began);
    }
  } finally {
    await running.dispose().catch(() => undefined);
  }
  return {
    id: 'type-errors',
    title: `9. Type errors: save -> printed by the watching session (${options.edits} edits)`,
    unit: 'ms',
    rows: sink.rows(),
    notes: [
      `Ours watching (${options.driver.name}); a file of the controller that nothing imports gets a type error, then its fix; time until the session prints the error / "type errors fixed". One unmeasured round first.`,
      'Floor: one full run of the repo’s compiler (TypeScript 7) over the controller project, as `pnpm typecheck` does it.',
    ],
  };
}
