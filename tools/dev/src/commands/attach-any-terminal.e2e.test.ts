import {
  chmodSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { SERVICE_NAMES } from '../services/manifest.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';

const backends: BackendName[] = ['process', 'systemd', 'launchd'];

// Two "terminals" that reach this very node binary through other folders first on PATH: a folder of
// symlinks (as a VS Code terminal or a merged-/usr system gives) and an fnm-style per-shell folder
// linked to the install's root.
const shells = realpathSync(mkdtempSync(join(tmpdir(), 'nexu-shells-')));
afterAll(() => rmSync(shells, { recursive: true, force: true }));
const realNode = realpathSync(process.execPath);
mkdirSync(join(shells, 'symlinks'));
symlinkSync(realNode, join(shells, 'symlinks', 'node'));
mkdirSync(join(shells, 'fnm_multishells'));
symlinkSync(dirname(dirname(realNode)), join(shells, 'fnm_multishells', '4242_1733212800000'));
const terminals = {
  first: `${join(shells, 'symlinks')}:${process.env.PATH ?? ''}`,
  second: `${join(shells, 'fnm_multishells', '4242_1733212800000', 'bin')}:${process.env.PATH ?? ''}`,
};

interface StatusJson {
  readonly services: ReadonlyArray<{ name: string; pid: number | null; state: string; reason?: string }>;
}

describe.each(backends)(
  'pnpm start from another terminal on the %s backend',
  { timeout: 120_000 },
  (backend) => {
    const checkouts = useBackendCheckouts(backend);

    const cli = async (checkout: Checkout, command: string, args: string[], path: string, node?: string) => {
      const result = await spawnCli(command, [...args, '--backend', backend], {
        cwd: checkout.root,
        env: { PATH: path },
        ...(node ? { node } : {}),
      }).done;
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      return result;
    };
    const status = async (checkout: Checkout, path: string) =>
      JSON.parse((await cli(checkout, 'status', ['--json'], path)).stdout) as StatusJson;
    const pids = (report: StatusJson) => Object.fromEntries(report.services.map((s) => [s.name, s.pid]));

    it('attaches with every pid unchanged when PATH reaches the same node through another folder', async (ctx) => {
      if (!checkouts.available()) ctx.skip();
      const checkout = checkouts.open();
      await cli(checkout, 'start', ['--no-watch'], terminals.first, join(shells, 'symlinks', 'node'));
      const before = pids(await status(checkout, terminals.first));

      const again = await cli(checkout, 'start', ['--no-watch'], terminals.second);
      expect(again.stdout + again.stderr).not.toMatch(/replacing/);
      for (const name of SERVICE_NAMES)
        expect(again.stdout).toMatch(new RegExp(`^${name} .* attached `, 'm'));
      expect(pids(await status(checkout, terminals.second))).toEqual(before);
    });

    it('a unit whose node was uninstalled: status says so, start replaces it with one line why', async (ctx) => {
      if (!checkouts.available()) ctx.skip();
      // A node install of its own (nvm's layout), removed while its services run.
      const install = join(shells, backend, '.nvm/versions/node/v20.19.0/bin/node');
      mkdirSync(dirname(install), { recursive: true });
      try {
        linkSync(realNode, install);
      } catch {
        copyFileSync(realNode, install);
        chmodSync(install, 0o755);
      }
      const checkout = checkouts.open();
      await cli(checkout, 'start', ['--no-watch'], `${dirname(install)}:${terminals.first}`, install);
      const before = pids(await status(checkout, terminals.first));
      rmSync(install);

      const stale = await status(checkout, terminals.first);
      for (const service of stale.services)
        expect(service.reason).toContain(`its node ${install} no longer exists`);

      const replaced = await cli(checkout, 'start', ['--no-watch'], terminals.first);
      for (const name of SERVICE_NAMES) {
        const lines = replaced.stdout
          .split('\n')
          .filter(
            (line) =>
              line.startsWith(`${name}: replacing`) && line.includes(`node (${install} no longer exists)`),
          );
        expect(lines, replaced.stdout).toHaveLength(1);
      }
      const after = pids(await status(checkout, terminals.first));
      for (const name of SERVICE_NAMES) expect(after[name]).not.toBe(before[name]);
    });
  },
);
