import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import { type Checkout, resolveCheckout } from '../checkout/checkout.js';
import type { MachineStatusRow } from '../commands/machine-status.js';
import type { StartReport } from '../commands/start.js';
import { collectStatus } from '../commands/status.js';
import { stopAllServices } from '../commands/stop-machine.js';
import { createMemoryReporter } from '../format/reporter.js';
import { isPortFree } from '../os/port-free.js';
import { processIdentity } from '../os/process-identity.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { addGitWorktree, removeGitWorktree } from '../test-support/git-worktree.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { FAULT_BACKENDS, listSystemdUnits, useFaultContext } from './fault-harness.js';

// Every block runs on a machine of its own (a private systemd user manager, keeper registry and
// fake launchd domain: see createIsolatedMachine). `--orphans` and `--all` act on the whole machine,
// so there they can only ever reach this file's own test checkouts, never the services of other
// test files or of other worktrees on this computer.

const portsOf = (report: StartReport) =>
  report.services
    .map((s) => s.port)
    .sort((a, b) => a - b)
    .join(', ');
const labelsOf = (report: StartReport) => report.services.map((s) => s.label).join(', ');

/** Pid and start time of every service of a start report (the same process, not just the same pid). */
async function identities(report: StartReport) {
  return Promise.all(
    report.services.map(async (s) => `${s.name}:${s.pid}:${(await processIdentity(s.pid))?.startTime}`),
  );
}

function scenarios(backend: BackendName) {
  const ctx = useFaultContext(backend, { isolated: true });
  const cli = (command: string, args: readonly string[], cwd: string) =>
    spawnCli(command, args, { cwd, env: { ...ctx.machine()?.env } }).done;
  /** `pnpm status --all --json` rows of one checkout (the machine may list others: not asserted). */
  async function machineRows(cwd: string, id: string): Promise<MachineStatusRow[]> {
    const result = await cli('status', ['--all', '--json'], cwd);
    const report = JSON.parse(result.stdout) as { services: MachineStatusRow[] };
    return report.services.filter((row) => row.checkout.id === id);
  }
  const nothingRunsOf = async (checkout: Checkout, report: StartReport) => {
    expect(await findMarkedProcesses(checkout.id)).toEqual([]);
    expect(listSystemdUnits(checkout.id)).toEqual([]);
    for (const s of report.services) expect(await isPortFree(s.port)).toBe(true);
  };

  it('a git worktree removed with --force while its services run is listed orphaned (deleted), hinted at, and stopped by stop --orphans; the main checkout keeps its processes', async (t) => {
    if (!ctx.available()) t.skip();
    const main = ctx.open();
    const worktree = ctx.register(addGitWorktree(main, 'feature'));
    const mainReport = await ctx.start(main);
    const worktreeReport = await ctx.start(worktree);
    const mainBefore = await identities(mainReport);
    removeGitWorktree(main, worktree);
    expect(existsSync(worktree.root)).toBe(false);

    const rows = await machineRows(main.root, worktree.id);
    expect(rows.map((r) => [r.service, r.checkout.presence, r.checkout.orphaned, r.state])).toEqual([
      ['gateway', 'deleted', true, 'running'],
      ['controller', 'deleted', true, 'running'],
      ['web', 'deleted', true, 'running'],
    ]);
    expect(rows.every((r) => r.checkout.root === worktree.root && r.backend === backend)).toBe(true);
    const mainRows = await machineRows(main.root, main.id);
    expect(mainRows.map((r) => [r.checkout.presence, r.checkout.current, r.healthy])).toEqual(
      mainReport.services.map(() => ['live', true, true]),
    );

    const status = await cli('status', [], main.root);
    expect(status.stderr).toContain(
      `3 services of a deleted checkout still run on ${portsOf(worktreeReport)}: pnpm stop --orphans`,
    );

    const stop = await cli('stop', ['--orphans'], main.root);
    expect(stop.code, stop.stderr).toBe(0);
    for (const s of worktreeReport.services) {
      expect(stop.stdout).toContain(`Stopped ${s.name} (${s.label}) of deleted checkout ${worktree.root}`);
    }
    await nothingRunsOf(worktree, worktreeReport);
    expect(await identities(mainReport)).toEqual(mainBefore);
    expect((await cli('status', [], main.root)).stderr).not.toContain('pnpm stop --orphans');

    const again = await cli('stop', ['--orphans'], main.root);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      'Nothing to stop: no service of a deleted or moved checkout is installed.',
    );
  });

  it('a running checkout moved with mv is listed as moved; pnpm start in the new place takes its services back on the same ports, saying so in one line', async (t) => {
    if (!ctx.available()) t.skip();
    const before = ctx.open();
    const first = await ctx.start(before);
    const movedRoot = `${before.root}-moved`;
    renameSync(before.root, movedRoot);
    const moved = ctx.register(resolveCheckout(movedRoot));

    const rows = await machineRows(movedRoot, before.id);
    expect(rows.map((r) => [r.checkout.presence, r.checkout.movedTo, r.state])).toEqual(
      first.services.map(() => ['moved', movedRoot, 'running']),
    );
    const status = await cli('status', [], movedRoot);
    expect(status.stderr).toContain(
      `3 services of this checkout's previous location (${before.root}) still run on ${portsOf(first)}: pnpm start takes them over, pnpm stop stops them`,
    );

    const start = await cli('start', ['--no-watch', '--backend', backend], movedRoot);
    expect(start.code, start.stderr).toBe(0);
    const takeover = start.stdout.split('\n').filter((line) => line.startsWith('This checkout moved here'));
    expect(takeover).toEqual([
      `This checkout moved here from ${before.root}: stopped the 3 services it ran there (${labelsOf(first)}); their ports are reused where free.`,
    ]);
    await nothingRunsOf(before, { ...first, services: [] });
    const { report } = await collectStatus({ checkout: moved, backend });
    expect(report.services.map((s) => [s.port, s.state, s.healthy])).toEqual(
      first.services.map((s) => [s.port, 'running', true]),
    );
    expect(report.services.map((s) => s.label)).not.toEqual(first.services.map((s) => s.label));
    expect((await machineRows(movedRoot, before.id)).length).toBe(0);
  });

  it('pnpm stop in a moved checkout stops what its previous location runs', async (t) => {
    if (!ctx.available()) t.skip();
    const before = ctx.open();
    const first = await ctx.start(before);
    const movedRoot = `${before.root}-moved`;
    renameSync(before.root, movedRoot);
    ctx.register(resolveCheckout(movedRoot));

    const stop = await cli('stop', [], movedRoot);
    expect(stop.code, stop.stderr).toBe(0);
    for (const s of first.services) expect(stop.stdout).toContain(`Stopped ${s.name} (${s.label})`);
    expect(stop.stdout).toContain(
      `This checkout moved here from ${before.root}: stopped the 3 services it ran there`,
    );
    await nothingRunsOf(before, first);
  });

  it('status --all shows three checkouts (one live, one deleted, one moved); stop --orphans stops the two gone ones and leaves the live one running as it was', async (t) => {
    if (!ctx.available()) t.skip();
    const [live, deleted, moving] = [ctx.open(), ctx.open(), ctx.open()] as const;
    const liveReport = await ctx.start(live);
    const deletedReport = await ctx.start(deleted);
    const movingReport = await ctx.start(moving);
    const liveBefore = await identities(liveReport);
    rmSync(deleted.root, { recursive: true, force: true });
    renameSync(moving.root, `${moving.root}-elsewhere`);
    ctx.register(resolveCheckout(`${moving.root}-elsewhere`));

    const presence = async (checkout: Checkout) =>
      (await machineRows(live.root, checkout.id)).map((r) => [r.checkout.root, r.checkout.presence]);
    expect(await presence(live)).toEqual(liveReport.services.map(() => [live.root, 'live']));
    expect(await presence(deleted)).toEqual(deletedReport.services.map(() => [deleted.root, 'deleted']));
    expect(await presence(moving)).toEqual(movingReport.services.map(() => [moving.root, 'moved']));

    const table = await cli('status', ['--all'], live.root);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/checkout\s+root\s+where\s+backend\s+label\s+state\s+pid\s+port\s+health/);
    expect(table.stdout).toContain('live (this one)');
    expect(table.stdout).toContain('orphaned (deleted)');
    expect(table.stdout).toContain('orphaned (moved)');
    expect(table.stdout).toContain(`checkout ${moving.id} was moved to ${moving.root}-elsewhere`);

    const start = await cli('start', ['--no-watch', '--backend', backend], live.root);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toContain('6 services of 2 deleted or moved checkouts still run on');

    const stop = await cli('stop', ['--orphans'], live.root);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout.split('\n').filter((line) => line.startsWith('Stopped'))).toHaveLength(6);
    await nothingRunsOf(deleted, deletedReport);
    await nothingRunsOf(moving, movingReport);
    expect(await identities(liveReport)).toEqual(liveBefore);
  });

  it('stop --all asks on a terminal with the list, refuses without one and without --yes, and with --yes stops every checkout; then has nothing to do', async (t) => {
    if (!ctx.available()) t.skip();
    const [live, gone] = [ctx.open(), ctx.open()] as const;
    const liveReport = await ctx.start(live);
    const goneReport = await ctx.start(gone);
    rmSync(gone.root, { recursive: true, force: true });
    const before = [...(await identities(liveReport)), ...(await identities(goneReport))];

    const refused = await cli('stop', ['--all'], live.root);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no terminal to ask on, pass --yes to confirm');
    const shown: string[] = [];
    let question = '';
    const declined = await stopAllServices({
      reporter: createMemoryReporter(),
      yes: false,
      isTTY: true,
      confirm: async (text) => {
        question = text;
        return false;
      },
      out: (line) => shown.push(line),
    });
    expect(declined).toMatchObject({ ok: false, reason: 'declined' });
    expect(question).toMatch(/^Stop these \d+ services\? \[y\/N\] $/);
    expect(shown.join('\n')).toContain(
      `${live.id}  ${live.root}  live  ${backend}: gateway, controller, web`,
    );
    expect(shown.join('\n')).toContain(
      `${gone.id}  ${gone.root}  orphaned (deleted)  ${backend}: gateway, controller, web`,
    );
    expect([...(await identities(liveReport)), ...(await identities(goneReport))]).toEqual(before);

    const stop = await cli('stop', ['--all', '--yes'], live.root);
    expect(stop.code, stop.stderr).toBe(0);
    await nothingRunsOf(live, liveReport);
    await nothingRunsOf(gone, goneReport);
    expect(existsSync(live.ledgerPath)).toBe(false);

    const again = await cli('stop', ['--all', '--yes'], live.root);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to stop: no nexu dev service is installed on this machine.');
  });
}

describe.each(FAULT_BACKENDS)('checkouts on one machine (%s backend)', (backend) => scenarios(backend));

describe('checkouts on one machine (launchd backend, fake launchctl)', () => {
  const ctx = useFaultContext('launchd', { isolated: true });

  it('the launchd jobs of a deleted checkout are listed orphaned and booted out by stop --orphans', async (t) => {
    if (!ctx.available()) t.skip();
    const [live, gone] = [ctx.open(), ctx.open()] as const;
    const liveReport = await ctx.start(live);
    const goneReport = await ctx.start(gone);
    const liveBefore = await identities(liveReport);
    rmSync(gone.root, { recursive: true, force: true });
    const env = { ...ctx.machine()?.env };

    const status = await spawnCli('status', ['--all', '--json'], { cwd: live.root, env }).done;
    const rows = (JSON.parse(status.stdout) as { services: MachineStatusRow[] }).services;
    expect(
      rows.filter((r) => r.checkout.id === gone.id).map((r) => [r.backend, r.service, r.checkout.presence]),
    ).toEqual([
      ['launchd', 'gateway', 'deleted'],
      ['launchd', 'controller', 'deleted'],
      ['launchd', 'web', 'deleted'],
    ]);

    const stop = await spawnCli('stop', ['--orphans'], { cwd: live.root, env }).done;
    expect(stop.code, stop.stderr).toBe(0);
    expect(await findMarkedProcesses(gone.id)).toEqual([]);
    for (const s of goneReport.services) expect(await isPortFree(s.port)).toBe(true);
    expect(await identities(liveReport)).toEqual(liveBefore);
  });

  // The fake drains a booted-out label for 3-5 s here, as a Mac does (the suite's default).
  it('stop --all boots out every job of every checkout at once: all bootouts before the first drain ends', async (t) => {
    if (!ctx.available()) t.skip();
    const [live, gone] = [ctx.open(), ctx.open()] as const;
    const liveReport = await ctx.start(live);
    const goneReport = await ctx.start(gone);
    rmSync(gone.root, { recursive: true, force: true });
    const env = { ...ctx.machine()?.env };
    const eventsLog = join(env.FAKE_LAUNCHCTL_STATE!, 'events.log');
    const from = readFileSync(eventsLog, 'utf8').length;
    const stop = await spawnCli('stop', ['--all', '--yes'], { cwd: live.root, env }).done;
    expect(stop.code, stop.stderr).toBe(0);
    const labels = new Set([...liveReport.services, ...goneReport.services].map((s) => s.label));
    // Wait for the drains (the fake logs each label's end), then read when each bootout went.
    const drained = await waitFor(
      () => {
        const events = readFileSync(eventsLog, 'utf8')
          .slice(from)
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { at: number; args?: string[]; unloaded?: string });
        const unloaded = events.filter((e) => e.unloaded !== undefined && labels.has(e.unloaded));
        return unloaded.length === labels.size ? events : undefined;
      },
      { timeoutMs: 15_000, maxIntervalMs: 250 },
    );
    expect(drained.ok).toBe(true);
    const events = drained.ok ? drained.value : [];
    const bootouts = events.filter(
      (e) => e.args?.[0] === 'bootout' && labels.has(e.args[1]!.split('/').pop()!),
    );
    // The drains of these labels only: an earlier test's labels may still finish draining meanwhile.
    const unloaded = events.filter((e) => e.unloaded !== undefined && labels.has(e.unloaded));
    expect(bootouts).toHaveLength(6);
    expect(Math.max(...bootouts.map((e) => e.at))).toBeLessThan(Math.min(...unloaded.map((e) => e.at)));
  });

  it('pnpm stop then an immediate pnpm start succeeds while launchd still unloads the labels', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    await ctx.start(checkout);
    const env = { ...ctx.machine()?.env };
    const stop = await spawnCli('stop', [], { cwd: checkout.root, env }).done;
    expect(stop.code, stop.stderr).toBe(0);
    // Still draining when stop returned: status says so, not running and not crashed.
    const status = await collectStatus({ checkout, backend: 'launchd' });
    expect(status.report.services.map((s) => [s.state, s.reason])).toEqual(
      status.report.services.map(() => ['stopped', 'launchd is still unloading it']),
    );
    const start = await spawnCli('start', ['--no-watch', '--backend', 'launchd'], { cwd: checkout.root, env })
      .done;
    expect(start.code, start.stderr).toBe(0);
    const after = await collectStatus({ checkout, backend: 'launchd' });
    expect(after.report.services.map((s) => [s.state, s.healthy])).toEqual(
      after.report.services.map(() => ['running', true]),
    );
  });
});
