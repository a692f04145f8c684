import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import { type Checkout, resolveCheckout } from '../checkout/checkout.js';
import type { StartReport } from '../commands/start.js';
import type { StatusReport } from '../commands/status.js';
import { readLedger } from '../ports/ledger.js';
import { preferredPort } from '../ports/resolve-port.js';
import { SERVICES } from '../services/manifest.js';
import { spawnCli, spawnCliInTerminal } from '../test-support/spawn-cli.js';
import { FAULT_BACKENDS, servicePids, useFaultContext } from './fault-harness.js';

// A checkout handled as people handle one: its state folder deleted by hand, the services left on
// another backend than the platform's default, a question answered no, a narrow terminal. Each
// block runs on a machine of its own (`stop --all` lists and asks about the whole machine).

const pidsOf = (report: StartReport) => Object.fromEntries(report.services.map((s) => [s.name, [s.pid]]));
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

describe.each(FAULT_BACKENDS)('a checkout handled roughly on the %s backend', (backend) => {
  const ctx = useFaultContext(backend, { isolated: true });
  // No NEXU_DEV_BACKEND: the commands run as a plain `pnpm <command>` would.
  const env = () => ({ ...ctx.machine()?.env, NEXU_DEV_BACKEND: '' });
  const cli = (command: string, args: readonly string[], checkout: Checkout) =>
    spawnCli(command, args, { cwd: checkout.root, env: env() }).done;

  it('a checkout moved with mv, its CLI built before the move, starts its services on their old ports', async (t) => {
    if (!ctx.available()) t.skip();
    const before = ctx.open('nexu', { cli: true });
    const own = (command: string, args: readonly string[], root: string) =>
      spawnCli(command, args, { cwd: root, env: env(), ownCli: root }).done;
    const first = await own('start', ['--no-watch', '--backend', backend], before.root);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('nexu dev: building the CLI (no build yet)');
    // Nothing the build wrote holds where the checkout was.
    const dist = join(before.root, 'tools', 'dev', 'dist', 'cli');
    const holding = readdirSync(dist).filter((name) =>
      readFileSync(join(dist, name), 'utf8').includes(before.root),
    );
    expect(holding).toEqual([]);
    const ports = JSON.parse(readFileSync(before.ledgerPath, 'utf8')) as {
      services: Record<string, { port: number }>;
    };

    const movedRoot = `${before.root}-moved`;
    renameSync(before.root, movedRoot);
    const moved = ctx.register(resolveCheckout(movedRoot));
    const start = await own('start', ['--no-watch', '--backend', backend], movedRoot);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).not.toContain('building the CLI');
    expect(start.stdout).toContain(`This checkout moved here from ${before.root}: stopped the 3 services`);
    const status = JSON.parse((await own('status', ['--json'], movedRoot)).stdout) as StatusReport;
    expect(status.services.map((s) => [s.name, s.state, s.healthy, s.port])).toEqual(
      ['gateway', 'controller', 'web'].map((name) => [name, 'running', true, ports.services[name]!.port]),
    );
    expect((await servicePids(moved.id)).gateway).toHaveLength(1);
  });

  it('--dry-run and start move a service off a foreign-held port to the same port', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const controller = SERVICES.find((s) => s.name === 'controller')!;
    const held = preferredPort(controller, checkout.id);
    const foreign = await ctx.foreign({ port: held });
    const preview = await cli('start', ['--dry-run', '--backend', backend], checkout);
    const moved = new RegExp(
      `port ${held} is held by pid ${foreign.pid} \\([\\s\\S]*?\\), not ours: using (\\d+) instead`,
    );
    const chosen = Number(moved.exec(preview.stdout)?.[1]);
    expect(chosen, preview.stdout).toBeGreaterThan(0);

    const start = await cli('start', ['--no-watch', '--backend', backend], checkout);
    expect(start.code, start.stderr).toBe(0);
    expect(`${start.stdout}${start.stderr}`).toMatch(moved);
    const status = JSON.parse((await cli('status', ['--json'], checkout)).stdout) as StatusReport;
    expect(status.services.find((s) => s.name === 'controller')?.port).toBe(chosen);
  });

  it('a failed build in a start prints each error once, located from the repo root as watching does, and no command line of ours', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    // A syntax error on line 1 (esbuild refuses it at the ';': column 28, 1-based).
    writeFileSync(join(checkout.root, 'apps/gateway/src/revision.ts'), 'export const REVISION = 3 +;\n');
    const start = await cli('start', ['--no-watch', '--backend', backend], checkout);
    expect(start.code).toBe(1);
    const output = `${start.stdout}${start.stderr}`;
    expect(output.split('apps/gateway/src/revision.ts:1:28: ')).toHaveLength(2);
    expect(output).not.toMatch(/pnpm\.cjs|--filter|exited with|src\/revision\.ts:1:27/);
    expect(lastLine(start.stderr)).toBe('Fix it, then run pnpm start again.');
    expect(await servicePids(checkout.id)).toEqual({ gateway: [], controller: [], web: [] });
  });

  it.for<[string, RegExp, 'slow-gateway' | 'touch-gateway']>([
    ['the start', /^gateway: starting on /m, 'slow-gateway'],
    ['the build', /^gateway: building /m, 'touch-gateway'],
  ])(
    'Ctrl-C during %s releases the lock, records what runs, ends with one line of ours and exit 0',
    async ([, at, prepare], t) => {
      if (!ctx.available()) t.skip();
      const checkout = ctx.open();
      const revision = join(checkout.root, 'apps/gateway/src/revision.ts');
      // A whole start takes a few hundred milliseconds on a fast machine: a gateway that waits 3 s
      // before it listens keeps the start in its starting phase while the signal arrives.
      if (prepare === 'slow-gateway')
        writeFileSync(
          revision,
          'await new Promise((resolve) => setTimeout(resolve, 3000));\nexport const REVISION = 1;\n',
        );
      else utimesSync(revision, new Date(), new Date());
      const start = spawnCli('start', ['--no-watch', '--backend', backend], {
        cwd: checkout.root,
        env: env(),
      });
      const reached = await waitFor(() => at.test(start.output.stdout) || undefined, { timeoutMs: 30_000 });
      expect(reached.ok, start.output.stdout + start.output.stderr).toBe(true);
      // Ctrl-C reaches the whole foreground process group.
      process.kill(-start.child.pid!, 'SIGINT');
      const result = await start.done;
      expect(result.code, result.stderr).toBe(0);
      expect(lastLine(result.stderr)).toMatch(/^Interrupted(:| before any service started: nothing runs)/);
      expect(result.stdout).not.toContain('services ready');
      expect(existsSync(checkout.lockPath)).toBe(false);
      const running = await servicePids(checkout.id);
      const { ledger } = await readLedger(checkout);
      const recorded = Object.fromEntries(
        Object.entries(ledger?.services ?? {}).map(([name, entry]) => [name, [entry!.pid]]),
      );
      const runningNow = Object.fromEntries(Object.entries(running).filter(([, pids]) => pids.length > 0));
      expect(recorded).toEqual(runningNow);
      // During the build nothing has started yet, unless the build finished before the signal
      // arrived (a warm esbuild build of one service takes tens of milliseconds): the line says which.
      if (prepare === 'touch-gateway' && Object.keys(runningNow).length === 0)
        expect(lastLine(result.stderr)).toMatch(/nothing runs/);

      const again = await cli('start', ['--no-watch', '--backend', backend], checkout);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('3 services ready');
    },
  );

  it('with .tmp/dev deleted, status shows the services on their backend, and stop stops them all', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);
    // As a second `rm -rf` right after would: what runs may write a file into a folder being removed.
    rmSync(checkout.stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 10 });

    const status = await cli('status', ['--json'], checkout);
    const json = JSON.parse(status.stdout) as StatusReport;
    expect(json.backend).toBe(backend);
    expect(json.services.map((s) => [s.name, s.state, s.pid, s.port])).toEqual(
      report.services.map((s) => [s.name, 'running', s.pid, s.port]),
    );

    const stop = await cli('stop', [], checkout);
    expect(stop.code, stop.stderr).toBe(0);
    for (const s of report.services) expect(stop.stdout).toContain(`Stopped ${s.name} (${s.label})`);
    expect(await servicePids(checkout.id)).toEqual({ gateway: [], controller: [], web: [] });
  });

  it('with .tmp/dev deleted, reset-state --yes stops the services', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    await ctx.start(checkout);
    // As a second `rm -rf` right after would: what runs may write a file into a folder being removed.
    rmSync(checkout.stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 10 });

    const reset = await cli('reset-state', ['--yes'], checkout);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('Stopped gateway');
    expect(await servicePids(checkout.id)).toEqual({ gateway: [], controller: [], web: [] });
  });

  it('a plain start (and its dry run) attaches on the backend the services run on instead of moving them', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);

    const preview = await cli('start', ['--dry-run'], checkout);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain(`Dry run on the ${backend} backend: nothing was changed.`);
    expect(preview.stdout).not.toMatch(/leftover|replace/);

    const start = await cli('start', ['--no-watch'], checkout);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain(`3 services ready (${backend})`);
    expect(start.stdout).not.toContain('Stopped');
    expect(await servicePids(checkout.id)).toEqual(pidsOf(report));
  });

  it('answering no to reset-state or stop --all exits 0 with our line last, and changes nothing', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);

    const reset = await spawnCliInTerminal('reset-state', [], {
      cwd: checkout.root,
      env: env(),
      input: 'n\r',
    });
    expect(reset.output).toContain('Delete it? [y/N]');
    expect(lastLine(reset.output)).toBe('Nothing was stopped or removed.');
    expect(reset.code).toBe(0);

    const stop = await spawnCliInTerminal('stop', ['--all'], {
      cwd: checkout.root,
      env: env(),
      input: 'n\r',
    });
    expect(stop.output).toMatch(/Stop these \d+ services\? \[y\/N\]/);
    expect(lastLine(stop.output)).toBe('Nothing was stopped.');
    expect(stop.code).toBe(0);
    expect(await servicePids(checkout.id)).toEqual(pidsOf(report));
  });

  it('status fits an 80-column terminal, --wide and piped output show every column', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);
    const narrow = await spawnCliInTerminal('status', [], { cwd: checkout.root, env: env(), columns: 80 });
    expect(narrow.code).toBe(0);
    const lines = narrow.output.trimEnd().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    for (const s of report.services) expect(narrow.output).toContain(s.name);
    expect(narrow.output).toContain('pnpm status --wide shows all');

    const wide = await spawnCliInTerminal('status', ['--wide'], {
      cwd: checkout.root,
      env: env(),
      columns: 80,
    });
    const piped = await cli('status', [], checkout);
    for (const s of report.services) {
      expect(wide.output).toContain(s.label);
      expect(piped.stdout).toContain(s.label);
    }
  });
});
