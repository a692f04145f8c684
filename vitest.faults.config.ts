import { defineConfig } from 'vitest/config';

// `pnpm test:faults`: the fault and bad-input suite (tools/dev/src/faults). Each file starts real
// services of throwaway checkouts on the systemd and process backends; two files run at a time.
export default defineConfig({
  test: {
    include: ['tools/dev/src/faults/**/*.fault.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.tmp/**'],
    // `pnpm test <file>` passes its filter to every suite: a filter naming no fault file is fine.
    passWithNoTests: true,
    // Where launchd cannot run, `--backend launchd` talks to a fake launchctl (see the file).
    // The keeper, the guard, the fake launchctl and the fixtures run from their built files.
    globalSetup: ['vitest.global-setup.ts'],
    setupFiles: ['tools/dev/src/test-support/fake-launchd-env.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ['default', './tools/dev/src/faults/faults-summary-reporter.ts'],
  },
});
