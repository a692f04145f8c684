import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { runHotReload } from './run-hot-reload.js';
import { runLifecycle } from './run-lifecycle.js';
import type { ScenarioResult } from './scenario-result.js';
import type { ToolDriver } from './tool-driver.js';

export interface AppSizeOptions {
  /** Tools that start the services (cold start). */
  readonly lifecycle: readonly ToolDriver[];
  /** Tools that watch sources (hot reload). */
  readonly watching: readonly ToolDriver[];
  /** Module counts the controller is grown to, e.g. [10, 300, 1000]. */
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly edits: number;
  readonly warmups: number;
  readonly cleanup: CleanupRegistry;
  readonly log: (line: string) => void;
}

/**
 * Grows the controller of a bench checkout to `count` modules: `src/generated/m<i>.ts`, each a
 * small class with a few methods, all imported by `src/generated/index.ts`, which `main.ts`
 * imports and calls at start-up (so every tool loads every module and none is tree-shaken). Then
 * rebuilds the controller's dist, as `pnpm build` would, so the dist-based tools start on it too.
 */
export function growController(bench: BenchCheckout, count: number): void {
  const controller = join(bench.checkout.root, 'apps/controller');
  const dir = join(controller, 'src/generated');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    writeFileSync(
      join(dir, `m${i}.ts`),
      [
        `/** Generated module ${i} of ${count}: stands for one module of a bigger service. */`,
        `export class Part${i} {`,
        '  private readonly values: number[] = [];',
        `  constructor(private readonly base = ${i}) {}`,
        '  add(value: number): this {',
        '    this.values.push(value + this.base);',
        '    return this;',
        '  }',
        '  total(): number {',
        '    return this.values.reduce((sum, value) => sum + value, 0);',
        '  }',
        '  describe(): string {',
        `    return \`part ${i}: \${this.values.length} values, total \${this.total()}\`;`,
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  }
  const imports = Array.from({ length: count }, (_, i) => `import { Part${i} } from './m${i}.js';`);
  const parts = Array.from({ length: count }, (_, i) => `new Part${i}().add(1).total()`);
  writeFileSync(
    join(dir, 'index.ts'),
    `${imports.join('\n')}\n\n/** Touches every generated module once. */\nexport function generatedTotal(): number {\n  return [${parts.join(', ')}].reduce((a, b) => a + b, 0);\n}\n`,
  );
  appendFileSync(
    join(controller, 'src/main.ts'),
    "\nimport { generatedTotal } from './generated/index.js';\nif (generatedTotal() < 0) process.exit(1);\n",
  );
  execFileSync(process.execPath, ['../../tools/dev/bin/build-service.mjs'], {
    cwd: controller,
    stdio: 'ignore',
  });
}

/**
 * Scenario 8: how the cost of a cold start and of a hot reload grows with the size of the app: the
 * controller grown to each module count, ours against the peers, in the same run.
 */
export async function runAppSize(options: AppSizeOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const size of options.sizes) {
    const prepare = (bench: BenchCheckout) => growController(bench, size);
    options.log(`app size ${size} modules: cold start`);
    const [cold] = await runLifecycle({
      drivers: options.lifecycle,
      runs: options.runs,
      deadlineMs: 10 * 60_000,
      cleanup: options.cleanup,
      log: options.log,
      prepare,
    });
    options.log(`app size ${size} modules: hot reload`);
    const reload = await runHotReload({
      drivers: options.watching,
      edits: options.edits,
      warmups: options.warmups,
      deadlineMs: 10 * 60_000,
      cleanup: options.cleanup,
      log: options.log,
      prepare,
    });
    const sized = `${size} controller modules`;
    if (cold) {
      results.push({
        ...cold,
        id: `app-size-${size}-cold-start`,
        title: `8. App size, ${sized}: cold start -> all three healthy`,
        label: `8. Cold start, ${size} modules`,
        notes: [
          `The controller grown by ${size} generated modules (one small class each, all loaded at start-up); otherwise as scenario 1.`,
        ],
      });
    }
    results.push({
      ...reload,
      id: `app-size-${size}-hot-reload`,
      title: `8. App size, ${sized}: hot reload -> new revision served`,
      label: `8. Hot reload, ${size} modules`,
      notes: [`The controller grown by ${size} generated modules; otherwise as scenario 3.`],
    });
  }
  return results;
}
