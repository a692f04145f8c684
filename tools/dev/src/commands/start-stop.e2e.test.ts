import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import { isPortFree } from '../os/port-free.js';
import { isProcessAlive } from '../os/process-identity.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import { SERVICES, type ServicePorts } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import { selectSupervisor } from '../supervisor/select-supervisor.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';
import { type StartReport, startServices } from './start.js';
import { collectStatus } from './status.js';
import { stopServices } from './stop.js';

const backends: BackendName[] = ['process', 'systemd', 'launchd'];

describe.each(backends)('pnpm start / stop on the %s backend', { timeout: 60_000 }, (backend) => {
  const checkouts = useBackendCheckouts(backend);
  const open = checkouts.open;

  const start = (checkout: ReturnType<typeof open>, reporter = createMemoryReporter()) =>
    startServices({ checkout, backend, reporter });

  const pids = (report: StartReport) => Object.fromEntries(report.services.map((s) => [s.name, s.pid]));

  it('cold start brings every service up healthy, and a second start attaches without restarting', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const cold = await start(checkout);
    expect(cold.services.map((s) => [s.name, s.mode])).toEqual(SERVICES.map((s) => [s.name, 'started']));
    for (const service of cold.services) {
      const health = await probeHealth(service.port);
      expect(health.ok && health.answer.instance).toBe(checkout.id);
    }
    const page = await fetch(`${cold.services.find((s) => s.name === 'web')!.url}/`);
    expect(await page.text()).toContain('data-testid="controller-state"');
    const { report } = await collectStatus({ checkout, backend });
    expect(report.services.map((s) => [s.state, s.healthy])).toEqual(SERVICES.map(() => ['running', true]));

    const warm = await start(checkout);
    expect(warm.services.every((s) => s.mode === 'attached')).toBe(true);
    expect(pids(warm)).toEqual(pids(cold));
    console.log(
      `[${backend}] cold start ${Math.round(cold.totalMs)} ms, full attach ${Math.round(warm.totalMs)} ms`,
    );
  });

  it('restarts only the controller when only its unit was stopped (partial attach)', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const first = await start(checkout);
    const supervisor = await selectSupervisor({ backend, checkout });
    const controller = first.services.find((s) => s.name === 'controller')!;
    await supervisor.stop({
      label: controller.label,
      service: 'controller',
      checkoutId: checkout.id,
      port: controller.port,
    });

    const second = await start(checkout);
    const modes = Object.fromEntries(second.services.map((s) => [s.name, s.mode]));
    expect(modes).toEqual({ gateway: 'attached', controller: 'started', web: 'attached' });
    expect(pids(second).gateway).toBe(pids(first).gateway);
    expect(pids(second).web).toBe(pids(first).web);
    expect(pids(second).controller).not.toBe(pids(first).controller);
  });

  it('never signals a foreign listener on the controller port and moves the controller elsewhere', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const first = await start(checkout);
    const controllerPort = first.services.find((s) => s.name === 'controller')!.port;
    const supervisor = await selectSupervisor({ backend, checkout });
    for (const s of [...first.services].reverse()) {
      await supervisor.uninstall({ label: s.label, service: s.name, checkoutId: checkout.id, port: s.port });
    }

    const squatter = spawn(
      process.execPath,
      ['-e', `require('node:net').createServer().listen(${controllerPort}, '127.0.0.1')`],
      { stdio: 'ignore', env: { PATH: process.env.PATH } },
    );
    checkouts.killAfter(squatter.pid!);
    await waitFor(async () => !(await isPortFree(controllerPort)), { timeoutMs: 5_000 });

    const reporter = createMemoryReporter();
    const second = await start(checkout, reporter);
    const controller = second.services.find((s) => s.name === 'controller')!;
    expect(controller.port).not.toBe(controllerPort);
    expect(reporter.lines.join('\n')).toMatch(
      new RegExp(`port ${controllerPort} is held by pid ${squatter.pid}`),
    );
    expect(isProcessAlive(squatter.pid!)).toBe(true);
    const health = await probeHealth(controller.port);
    expect(health.ok).toBe(true);
  });

  it('stops a leftover controller of this checkout that no supervisor owns, and replaces it', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const first = await start(checkout);
    const controller = first.services.find((s) => s.name === 'controller')!;
    const supervisor = await selectSupervisor({ backend, checkout });
    await supervisor.uninstall({
      label: controller.label,
      service: 'controller',
      checkoutId: checkout.id,
      port: controller.port,
    });

    // The same program with this checkout's marker and environment, started by hand: ours, but unsupervised.
    const ports = Object.fromEntries(first.services.map((s) => [s.name, s.port])) as unknown as ServicePorts;
    const unit = resolveUnitSpec(SERVICES.find((s) => s.name === 'controller')!, checkout, ports);
    const leftover = spawn(unit.argv[0]!, unit.argv.slice(1), {
      stdio: 'ignore',
      detached: true,
      env: unit.env,
    });
    checkouts.killAfter(leftover.pid!);
    const up = await waitFor(
      async () => {
        const health = await probeHealth(controller.port);
        return health.ok && health.answer.pid === leftover.pid;
      },
      { timeoutMs: 10_000 },
    );
    expect(up.ok).toBe(true);

    const second = await start(checkout);
    const replaced = second.services.find((s) => s.name === 'controller')!;
    expect(replaced.port).toBe(controller.port);
    expect(replaced.pid).not.toBe(leftover.pid);
    expect(isProcessAlive(leftover.pid!)).toBe(false);
  });

  it('replaces only the unit whose environment changed (unit drift)', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const first = await start(checkout);
    const web = SERVICES.find((s) => s.name === 'web')!;
    const drifted = SERVICES.map((s) =>
      s === web
        ? { ...s, env: (ports: Parameters<typeof s.env>[0]) => ({ ...s.env(ports), NEXU_DRIFT: '1' }) }
        : s,
    );
    const second = await startServices({
      checkout,
      backend,
      reporter: createMemoryReporter(),
      services: drifted,
    });
    const modes = Object.fromEntries(second.services.map((s) => [s.name, s.mode]));
    expect(modes).toEqual({ gateway: 'attached', controller: 'attached', web: 'started' });
    expect(pids(second).web).not.toBe(pids(first).web);
  });

  it('runs two checkouts side by side; stopping one leaves the other healthy', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const a = open('a');
    const b = open('b');
    const ra = await start(a);
    const rb = await start(b);
    const portsA = ra.services.map((s) => s.port);
    expect(rb.services.some((s) => portsA.includes(s.port))).toBe(false);

    await stopServices({ checkout: a, reporter: createMemoryReporter() });
    for (const s of ra.services) expect(await isPortFree(s.port)).toBe(true);
    for (const s of rb.services) expect((await probeHealth(s.port)).ok).toBe(true);
  });

  it('stop leaves no process, unit, listener or ledger, and a second stop exits cleanly', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const report = await start(checkout);
    const reporter = createMemoryReporter();
    const stopped = await stopServices({ checkout, reporter });
    expect(stopped.units.length).toBe(SERVICES.length);
    expect(await findMarkedProcesses(checkout.id)).toEqual([]);
    for (const s of report.services) expect(await isPortFree(s.port)).toBe(true);
    expect(existsSync(checkout.ledgerPath)).toBe(false);
    const supervisor = await selectSupervisor({ backend, checkout });
    expect(await supervisor.listInstalled(checkout.id)).toEqual([]);

    const again = await stopServices({ checkout, reporter: createMemoryReporter() });
    expect(again).toEqual({ units: [], orphans: [] });
  });
});
