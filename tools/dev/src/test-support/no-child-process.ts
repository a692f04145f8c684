/**
 * Setup of `pnpm test:unit`: the fast tier starts no process. Every way `node:child_process` starts
 * one throws instead, naming the tier a test that needs a process belongs to, so a test that starts
 * one cannot hide in the fast tier (and slow it down) unnoticed.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const STARTERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

for (const name of STARTERS) {
  Object.defineProperty(childProcess, name, {
    configurable: true,
    writable: true,
    value: () => {
      throw new Error(
        `child_process.${name}: the unit tier (pnpm test:unit) starts no process; a test that needs one is named *.int.test.ts or *.e2e.test.ts`,
      );
    },
  });
}
// Named imports (`import { spawn } from 'node:child_process'`) see the replacements too.
syncBuiltinESMExports();
