import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../checkout/checkout.js';

const repoRoot = findRepoRoot(import.meta.dirname);
/** Each command the README documents under its own heading, as it is typed (`pnpm stop`, `pnpm run doctor`). */
const documented = [
  ...readFileSync(join(repoRoot, 'README.md'), 'utf8').matchAll(/^### `(pnpm (?:run )?[a-z-]+)/gm),
].map((match) => match[1]!);

// pnpm's built-ins win over scripts of the same name: `pnpm doctor` checks pnpm itself, and
// `pnpm restart` runs the stop, restart and start scripts one after another (pnpm.io/cli/restart).
describe('the commands the README documents, typed as it says', () => {
  it('are found in the README', () => {
    expect(documented).toEqual(
      expect.arrayContaining(['pnpm start', 'pnpm stop', 'pnpm restart', 'pnpm status', 'pnpm run doctor']),
    );
  });

  it.each(documented)('`%s` runs that command of ours, once, and no other', (command) => {
    const args = command.split(' ').slice(1);
    const name = args.at(-1)!;
    // A word no command takes: each command of ours refuses it with a line naming itself, exit 2,
    // before doing anything; a stop run first would refuse it and end the sequence there.
    const result = spawnSync('pnpm', ['-s', ...args, 'no-such-service'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const ours = result.stderr.split('\n').filter((line) => /^pnpm (run )?[a-z-]+: /.test(line));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(new RegExp(`^pnpm (run )?${name}: `));
    expect(result.status).toBe(2);
  });
});
