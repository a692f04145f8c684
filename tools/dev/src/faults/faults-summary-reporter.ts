import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the suite's summary last: one `failed: <file> > <scenario>` line per failure, then
 * `faults: N passed, M failed` (plus skips when any). A failing hook of a file or of a describe
 * block (e.g. the afterAll check that no unit or process is left, a beforeAll that could not set
 * up) or an unhandled error counts as a failure, so the line never reads "0 failed" for a failing
 * run. The logs of a failed scenario are kept by the harness.
 */
export default class FaultsSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let skipped = 0;
    const failures = unhandledErrors.map((error) => `unhandled error: ${String(error)}`);
    for (const module of testModules) {
      const file = relative(process.cwd(), module.moduleId);
      for (const error of module.errors()) failures.push(`${file} (file hook): ${error.message}`);
      // A describe block's hook that failed (e.g. its beforeAll): its tests show as skipped.
      for (const suite of module.children.allSuites()) {
        for (const error of suite.errors())
          failures.push(`${file} > ${suite.fullName} (hook): ${error.message}`);
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failures.push(`${file} > ${test.fullName}`);
        else skipped++;
      }
    }
    const skips = skipped > 0 ? `, ${skipped} skipped` : '';
    const lines = failures.map((failure) => `failed: ${failure}\n`).join('');
    process.stdout.write(`\n${lines}faults: ${passed} passed, ${failures.length} failed${skips}\n`);
  }
}
