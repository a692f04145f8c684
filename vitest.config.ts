import { defineConfig } from 'vitest/config';

// The main suite: every tier but the faults (*.test.ts, *.int.test.ts, *.e2e.test.ts; README "Tests").
// Integration tests spawn real processes and bind real ports, so files run in a few forks and each
// test gets generous deadlines instead of sleeps.
export default defineConfig({
  test: {
    include: ['apps/*/{src,server}/**/*.test.ts', 'tools/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
    // The fault suite has its own config and command (`pnpm test:faults`).
    exclude: ['**/node_modules/**', '**/dist/**', '**/.tmp/**', 'tools/dev/src/faults/**'],
    // Where launchd cannot run, `--backend launchd` talks to a fake launchctl (see the file).
    // The keeper, the guard, the fake launchctl and the fixtures run from their built files.
    globalSetup: ['vitest.global-setup.ts'],
    setupFiles: ['tools/dev/src/test-support/fake-launchd-env.ts'],
    // The fake launchctl drains a booted-out label for 3-5 s, as a Mac does; the main suite checks
    // behaviour, not that cost, so its labels drain in 300 ms (a drain still happens, and every
    // path that meets one is exercised). Tests about drains set their own; the fault suite and
    // `pnpm bench` play the Mac's.
    env: { FAKE_LAUNCHCTL_DRAIN_MS: '300' },
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 30_000,
  },
});
