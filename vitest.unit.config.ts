import { defineConfig } from 'vitest/config';
import main from './vitest.config.js';

// `pnpm test:unit`: the fast tier, every test that starts no process (pure functions, parsers,
// renderers, the planner on fixed facts). Tests that start processes are named *.int.test.ts
// (a service, a backend, esbuild) or *.e2e.test.ts (the CLI on a temp checkout); `pnpm test` runs
// them all. Nothing here runs a built program, so nothing is built first.
export default defineConfig({
  test: {
    ...main.test,
    exclude: [...(main.test?.exclude ?? []), '**/*.int.test.ts', '**/*.e2e.test.ts'],
    globalSetup: [],
    setupFiles: [...[main.test?.setupFiles ?? []].flat(), 'tools/dev/src/test-support/no-child-process.ts'],
    pool: 'threads',
  },
});
