import { defineConfig, mergeConfig } from 'vitest/config';
import main from './vitest.config.js';

// `pnpm test:unit`: the fast tier, every test that starts no process (pure functions, parsers,
// renderers, the planner on fixed facts). Tests that start processes are named *.int.test.ts
// (one service, a backend) or *.e2e.test.ts (the CLI on a temp checkout); `pnpm test` runs them all.
export default mergeConfig(
  main,
  defineConfig({
    test: {
      exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts'],
      setupFiles: ['tools/dev/src/test-support/no-child-process.ts'],
      pool: 'threads',
    },
  }),
);
