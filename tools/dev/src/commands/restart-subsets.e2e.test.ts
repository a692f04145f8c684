import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import { readLedger } from '../ports/ledger.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';
import { createWatchedCheckouts } from '../test-support/watched-checkouts.js';
import { type StartReport, startServices } from './start.js';
import { collectStatus } from './status.js';
import { stopServiceSubset } from './stop-subset.js';

const backends: BackendName[] = ['process', 'systemd', 'launchd'];

const pids = (report: StartReport) => Object.fromEntries(report.services.map((s) => [s.name, s.pid]));

describe.each(backends)('restart and subsets on the %s backend', { timeout: 90_000 }, (backend) => {
  const checkouts = useBackendCheckouts(backend);

  it('pnpm restart controller changes only the controller pid and returns once it answers as ready', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    const first = await startServices({ checkout, backend, reporter: createMemoryReporter() });
    const before = pids(first);
    // A source newer than the build: restart builds first, and the new process serves it.
    writeFileSync(join(checkout.root, 'apps/controller/src/revision.ts'), 'export const REVISION = 5;\n');

    const result = await spawnCli('restart', ['controller'], { cwd: checkout.root }).done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/controller: building \(sources changed since the last build\)/);
    const row = result.stdout.split('\n').find((line) => line.startsWith('controller '));
    expect(row).toMatch(/restarted\s+[\d.]+ m?s$/);
    expect(result.stdout).toMatch(/1 service restarted/);
    const newPid = Number(row!.split(/\s+/)[2]);
    expect(newPid).not.toBe(before.controller);
    // Ready when it returned: the new process answers at once, no waiting here.
    const controller = first.services.find((s) => s.name === 'controller')!;
    const health = await probeHealth(controller.port);
    expect(health.ok && health.answer.pid).toBe(newPid);
    for (const name of ['gateway', 'web'] as const) {
      const port = first.services.find((s) => s.name === name)!.port;
      const answer = await probeHealth(port);
      expect(answer.ok && answer.answer.pid).toBe(before[name]);
    }
    const runtime = (await (await fetch(`${controller.url}/api/runtime`)).json()) as { revision: number };
    expect(runtime.revision).toBe(5);
    const { ledger } = await readLedger(checkout);
    expect(ledger?.services.controller?.pid).toBe(newPid);
    expect(ledger?.services.gateway?.pid).toBe(before.gateway);
  });

  it('pnpm restart gateway --with-dependents restarts all three, in dependency order', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    const first = await startServices({ checkout, backend, reporter: createMemoryReporter() });
    const result = await spawnCli('restart', ['gateway', '--with-dependents'], { cwd: checkout.root }).done;
    expect(result.code).toBe(0);
    const rows = result.stdout.split('\n').filter((line) => / restarted +\d/.test(line));
    expect(rows.map((line) => line.split(/\s+/)[0])).toEqual(['gateway', 'controller', 'web']);
    const { report } = await collectStatus({ checkout, backend });
    for (const s of report.services) {
      expect(s.healthy).toBe(true);
      expect(s.pid).not.toBe(pids(first)[s.name]);
    }
  });

  it('pnpm restart of a service that does not run says so, starts nothing and exits 1', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    await startServices({ checkout, backend, reporter: createMemoryReporter() });
    await stopServiceSubset({ checkout, services: ['web'], reporter: createMemoryReporter() });
    const result = await spawnCli('restart', ['web'], { cwd: checkout.root }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/web does not run: nothing restarted/);
    // Never running again; not installed once launchd has unloaded the label it stopped (a drain of
    // 3-5 s on a Mac, 300 ms here, that the restart may well return within).
    const web = async () =>
      (await collectStatus({ checkout, backend })).report.services.find((s) => s.name === 'web');
    expect((await web())?.pid).toBeNull();
    const gone = await waitFor(async () => ((await web())?.state === 'not-installed' ? true : undefined), {
      timeoutMs: 10_000,
    });
    expect(gone.ok).toBe(true);
  });

  it('pnpm start controller in a stopped checkout starts gateway and controller only, saying the gateway was pulled in', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    const result = await spawnCli('start', ['controller', '--no-watch', '--backend', backend], {
      cwd: checkout.root,
    }).done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Starting controller with what it depends on: gateway\./);
    expect(result.stdout).toMatch(/2 services ready/);
    const { report } = await collectStatus({ checkout, backend });
    const states = Object.fromEntries(report.services.map((s) => [s.name, s.state]));
    expect(states).toEqual({ gateway: 'running', controller: 'running', web: 'not-installed' });
    const { ledger } = await readLedger(checkout);
    expect(Object.keys(ledger?.services ?? {}).sort()).toEqual(['controller', 'gateway']);

    // Then the rest: the two running ones are attached, the ledger covers all three.
    const rest = await spawnCli('start', ['web', '--no-watch', '--json', '--backend', backend], {
      cwd: checkout.root,
    }).done;
    expect(rest.code).toBe(0);
    const modes = Object.fromEntries(
      (JSON.parse(rest.stdout) as { services: Array<{ name: string; mode: string }> }).services.map((s) => [
        s.name,
        s.mode,
      ]),
    );
    expect(modes).toEqual({ gateway: 'attached', controller: 'attached', web: 'started' });
    expect(Object.keys((await readLedger(checkout)).ledger?.services ?? {}).sort()).toEqual([
      'controller',
      'gateway',
      'web',
    ]);
  });

  it('pnpm stop controller stops only it, warns that web still runs, and keeps the ledger right', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    const first = await startServices({ checkout, backend, reporter: createMemoryReporter() });
    const result = await spawnCli('stop', ['controller'], { cwd: checkout.root }).done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Stopped controller \(/);
    expect(result.stderr).toMatch(/web depends on controller and keeps running/);
    const { report } = await collectStatus({ checkout, backend });
    // launchd keeps a booted-out label loaded a while (the drain): stopped, saying so, until it goes.
    const stopped = (s: (typeof report.services)[number]) =>
      s.state === 'stopped' && s.reason === 'launchd is still unloading it' ? 'not-installed' : s.state;
    const states = Object.fromEntries(report.services.map((s) => [s.name, [stopped(s), s.pid]]));
    expect(states).toEqual({
      gateway: ['running', pids(first).gateway],
      controller: ['not-installed', null],
      web: ['running', pids(first).web],
    });
    const { ledger } = await readLedger(checkout);
    expect(Object.keys(ledger?.services ?? {}).sort()).toEqual(['gateway', 'web']);

    const status = await spawnCli('status', ['web', '--json'], { cwd: checkout.root }).done;
    const parsed = JSON.parse(status.stdout) as { services: Array<{ name: string }>; watching: unknown };
    expect(parsed.services.map((s) => s.name)).toEqual(['web']);
    expect(parsed.watching).toBeNull();
    expect(status.code).toBe(0);
  });
});

describe.each(backends)(
  'pnpm restart under a watching session on the %s backend',
  { timeout: 90_000 },
  (backend) => {
    const checkouts = createWatchedCheckouts(backend);

    afterEach(async () => {
      expect(await checkouts.closeAll()).toEqual([]);
    });

    it('restarts the controller once: the session rebuilds and restarts nothing after it', async (ctx) => {
      if (!(await checkouts.available())) ctx.skip();
      const watched = await checkouts.start();
      const result = await spawnCli('restart', ['controller'], { cwd: watched.checkout.root }).done;
      expect(result.code).toBe(0);
      const row = result.stdout.split('\n').find((line) => line.startsWith('controller '));
      const newPid = Number(row!.split(/\s+/)[2]);
      expect(newPid).not.toBe(watched.startPid('controller'));
      await watched.session.idle();
      expect(watched.session.stats('controller')).toEqual({ events: 0, builds: 0 });
      expect(await watched.pid('controller')).toBe(newPid);
      expect(await watched.pid('gateway')).toBe(watched.startPid('gateway'));
      expect(watched.lines.filter((l) => / reloaded in | replaced in /.test(l.line))).toEqual([]);
    });
  },
);
