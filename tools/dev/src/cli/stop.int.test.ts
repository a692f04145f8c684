import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempCheckout, spawnCli, type TempCheckout } from '../test-support/index.js';

let temp: TempCheckout;
beforeEach(() => {
  temp = createTempCheckout({ services: false });
});
afterEach(() => temp.remove());

// Only flag handling here: every case ends before anything on the machine is looked at. What
// --orphans and --all do is tested on a machine of its own (faults/checkouts.fault.test.ts).
const run = (command: string, args: string[]) => spawnCli(command, args, { cwd: temp.checkout.root }).done;

describe('pnpm stop and pnpm status flags for several checkouts', () => {
  it.each([
    ['stop', ['--orphans', '--all', '--yes']],
    ['status', ['--all']],
  ])('pnpm %s --help lists %j among its options', async (command, flags) => {
    const help = await run(command, ['--help']);
    expect(help.code).toBe(0);
    const options = help.stdout.slice(help.stdout.indexOf('Options:'));
    for (const flag of flags) expect(options).toMatch(new RegExp(`^\\s+${flag}\\s+\\S`, 'm'));
  });

  it('a mistyped flag (--orphan) exits 2, names it and points at --help, stopping nothing', async () => {
    const result = await run('stop', ['--orphan']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--orphan'");
    expect(result.stderr).toContain('pnpm stop --help');
    expect(result.stdout).toBe('');
  });

  it.each([
    [['--orphans', '--all'], '--orphans and --all cannot be combined'],
    [['--yes'], '--yes only applies to --all'],
    [['--orphans', '--yes'], '--yes only applies to --all'],
  ])('pnpm stop %j exits 2 with a message and stops nothing', async (args, message) => {
    const result = await run('stop', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});
