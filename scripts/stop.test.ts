import { createTempCheckout, spawnCli, type TempCheckout } from '@nexu/dev/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let temp: TempCheckout;
beforeEach(() => {
  temp = createTempCheckout({ services: false });
});
afterEach(() => temp.remove());

// Only flag handling here: every case ends before anything on the machine is looked at. What
// --orphans and --all do is tested on a machine of its own (faults/checkouts.fault.test.ts).
const run = (command: string, args: string[]) => spawnCli(command, args, { cwd: temp.checkout.root }).done;

describe('pnpm stop and pnpm status flags for several checkouts', () => {
  it('documents --orphans, --all and --yes in pnpm stop --help', async () => {
    const help = await run('stop', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--orphans\s+stop the services of checkouts that were deleted or moved away/);
    expect(help.stdout).toMatch(/--all\s+stop every checkout's dev services on this machine; asks first/);
    expect(help.stdout).toMatch(/--yes\s+with --all: do not ask/);
  });

  it('documents --all in pnpm status --help', async () => {
    const help = await run('status', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--all\s+every checkout on this machine/);
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
