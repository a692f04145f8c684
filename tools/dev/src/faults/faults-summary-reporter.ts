import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the suite's summary line last: `faults: N passed, M failed` (plus skips when any). A
 * failing file-level hook (e.g. the afterAll check that no unit or process is left) or an
 * unhandled error counts as a failure, so the line never reads "0 failed" for a failing run.
 */
export default class FaultsSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      failed += module.errors().length;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const skips = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\nfaults: ${passed} passed, ${failed} failed${skips}\n`);
  }
}
