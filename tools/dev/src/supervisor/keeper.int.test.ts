import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../os/process-identity.js';
import { runtimeProgramPath } from '../os/runtime-program.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import {
  createContractCheckout,
  type FixtureMode,
  fixtureUnit,
  waitForHealthy,
  waitForStatus,
} from '../test-support/contract-harness.js';
import { keeperPids } from '../test-support/keeper-pids.js';
import { keeperFiles } from './keeper-files.js';
import { ProcessSupervisor } from './process.js';
import type { ServiceStatus, UnitSpec } from './supervisor.js';
import { readJsonOrNull } from './unit-files.js';

const KEEPER = runtimeProgramPath('keeper');

describe('process keeper: one per checkout', () => {
  let temp: ReturnType<typeof createContractCheckout>;
  let supervisor: ProcessSupervisor;
  let units: UnitSpec[] = [];

  beforeEach(() => {
    temp = createContractCheckout();
    // A keeper registry of its own: the user's is shared with every other checkout on the machine.
    supervisor = new ProcessSupervisor({
      unitsDir: temp.checkout.unitsDir,
      registryDir: join(temp.checkout.stateDir, 'keepers'),
    });
  });

  afterEach(async () => {
    for (const unit of units) await supervisor.uninstall(unit);
    units = [];
    expect(await findMarkedProcesses(temp.checkout.id)).toEqual([]);
    // The keeper ends by itself once it runs no service.
    const gone = await waitFor(async () => (await keeperPids(temp.checkout.unitsDir)).length === 0, {
      timeoutMs: 5000,
    });
    expect(gone.ok).toBe(true);
    temp.remove();
  });

  /** Installs and starts a service per mode (gateway, controller, web), returns their statuses once healthy. */
  const startServices = async (modes: FixtureMode[] = ['normal', 'normal', 'normal']) => {
    units = await Promise.all(
      modes.map((mode, i) => fixtureUnit(temp.checkout, ['gateway', 'controller', 'web'][i]!, { mode })),
    );
    for (const unit of units) {
      await supervisor.install(unit);
      await supervisor.start(unit);
    }
    const statuses: ServiceStatus[] = [];
    for (const [i, unit] of units.entries()) {
      if (modes[i] === 'normal') statuses.push((await waitForHealthy(supervisor, unit)).status);
    }
    return statuses;
  };
  const keeperOf = async (unit: UnitSpec) => {
    const state = await readJsonOrNull<{ keeper: { pid: number } }>(
      keeperFiles(temp.checkout.unitsDir).state(unit.label),
    );
    return state?.keeper.pid;
  };

  it('one keeper process per checkout with three services running', async () => {
    const statuses = await startServices();
    const keepers = await keeperPids(temp.checkout.unitsDir);
    expect(keepers).toHaveLength(1);
    for (const unit of units) expect(await keeperOf(unit)).toBe(keepers[0]);
    // Each service runs once, as the keeper's child.
    expect((await findMarkedProcesses(temp.checkout.id)).sort()).toEqual(statuses.map((s) => s.pid).sort());
  });

  it('a second keeper for the checkout exits without running any service again', async () => {
    const statuses = await startServices();
    const [keeper] = await keeperPids(temp.checkout.unitsDir);
    // What two commands starting a keeper at the same moment, or one killed right after it, leave.
    const second = spawn(process.execPath, [KEEPER, temp.checkout.unitsDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    second.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/another keeper already runs/);
    expect(await keeperPids(temp.checkout.unitsDir)).toEqual([keeper]);
    expect((await findMarkedProcesses(temp.checkout.id)).sort()).toEqual(statuses.map((s) => s.pid).sort());
  });

  it('keepers started at once after the last one was killed hard: one runs the services, each once', async () => {
    await startServices();
    const [killed] = await keeperPids(temp.checkout.unitsDir);
    process.kill(killed!, 'SIGKILL');
    await waitFor(() => !isProcessAlive(killed!), { timeoutMs: 5000 });
    // What several commands do at once when the lock names a keeper that is gone: each starts one.
    const keepers = Array.from({ length: 6 }, () =>
      spawn(process.execPath, [KEEPER, temp.checkout.unitsDir, join(temp.checkout.stateDir, 'keepers')], {
        stdio: 'ignore',
        detached: true,
      }),
    );
    const ended = await waitFor(
      async () => (await keeperPids(temp.checkout.unitsDir)).length === 1 || undefined,
      { timeoutMs: 15_000 },
    );
    expect(ended.ok, `keepers left: ${await keeperPids(temp.checkout.unitsDir)}`).toBe(true);
    const [keeper] = await keeperPids(temp.checkout.unitsDir);
    expect(keepers.map((k) => k.pid)).toContain(keeper);
    for (const unit of units) {
      await waitForHealthy(supervisor, unit);
      expect(await keeperOf(unit)).toBe(keeper);
    }
    // Each service runs once: the one keeper stopped what the killed one left and ran it again.
    const running = await waitFor(
      async () => (await findMarkedProcesses(temp.checkout.id)).length === 3 || undefined,
      {
        timeoutMs: 10_000,
      },
    );
    expect(running.ok, `marked: ${await findMarkedProcesses(temp.checkout.id)}`).toBe(true);
  });

  it("a crash of one service leaves the others' pids unchanged (and the keeper's)", async () => {
    const before = await startServices();
    const [keeper] = await keeperPids(temp.checkout.unitsDir);
    const [gateway, controller, web] = units as [UnitSpec, UnitSpec, UnitSpec];
    process.kill(before[1]!.pid!, 'SIGKILL');
    const after = await waitForStatus(
      supervisor,
      controller,
      (s) => s.state === 'running' && s.pid !== null && s.pid !== before[1]!.pid,
    );
    expect(after.restarts).toBe(1);
    await waitForHealthy(supervisor, controller);
    expect((await supervisor.status(gateway)).pid).toBe(before[0]!.pid);
    expect((await supervisor.status(web)).pid).toBe(before[2]!.pid);
    expect(await keeperPids(temp.checkout.unitsDir)).toEqual([keeper]);
    expect(await keeperOf(controller)).toBe(keeper);
  });

  it('a crash-looping service is stopped alone: the keeper and its siblings run on', async () => {
    const before = await startServices(['normal', 'crash-on-start', 'normal']);
    const [keeper] = await keeperPids(temp.checkout.unitsDir);
    const [gateway, controller, web] = units as [UnitSpec, UnitSpec, UnitSpec];
    const looped = await waitForStatus(supervisor, controller, (s) => s.state === 'crashed');
    expect(looped.reason).toMatch(/crash loop/);
    expect((await supervisor.status(gateway)).pid).toBe(before[0]!.pid);
    expect((await supervisor.status(web)).pid).toBe(before[1]!.pid);
    expect(await keeperPids(temp.checkout.unitsDir)).toEqual([keeper]);
  });

  it('a restart (hot reload) of one service replaces only its process', async () => {
    const before = await startServices();
    const [gateway, controller, web] = units as [UnitSpec, UnitSpec, UnitSpec];
    await supervisor.restart(controller);
    const after = await waitForHealthy(supervisor, controller);
    expect(after.status.pid).not.toBe(before[1]!.pid);
    expect(isProcessAlive(before[1]!.pid!)).toBe(false);
    expect((await supervisor.status(gateway)).pid).toBe(before[0]!.pid);
    expect((await supervisor.status(web)).pid).toBe(before[2]!.pid);
  });

  it('kill -9 of the keeper: its services come back under one new keeper, each running once', async () => {
    const before = await startServices();
    const [keeper] = await keeperPids(temp.checkout.unitsDir);
    process.kill(keeper!, 'SIGKILL');
    await waitFor(() => !isProcessAlive(keeper!), { timeoutMs: 5000 });
    // Unsupervised meanwhile, and said so.
    expect(await supervisor.status(units[0]!)).toMatchObject({
      state: 'crashed',
      reason: expect.stringContaining(
        `its keeper (pid ${keeper}) is gone and the service runs on unsupervised (pid ${before[0]!.pid}): pnpm start takes it back`,
      ),
    });

    // The next command (here the hot reload of one service) starts a keeper that takes them all back.
    await supervisor.restart(units[1]!);
    const after = await Promise.all(
      units.map(async (unit) => (await waitForHealthy(supervisor, unit)).status),
    );
    const keepers = await keeperPids(temp.checkout.unitsDir);
    expect(keepers).toHaveLength(1);
    expect(keepers[0]).not.toBe(keeper);
    for (const unit of units) expect(await keeperOf(unit)).toBe(keepers[0]);
    // No service runs twice: the leftovers were stopped before they ran again.
    for (const status of before) expect(isProcessAlive(status.pid!)).toBe(false);
    expect((await findMarkedProcesses(temp.checkout.id)).sort()).toEqual(after.map((s) => s.pid).sort());
    // Supervised again: a crash is restarted.
    process.kill(after[2]!.pid!, 'SIGKILL');
    await waitForStatus(supervisor, units[2]!, (s) => s.state === 'running' && s.pid !== after[2]!.pid);
  });

  it('a stop of one service leaves the others running; the keeper ends with the last one', async () => {
    const before = await startServices();
    const [keeper] = await keeperPids(temp.checkout.unitsDir);
    const [gateway, controller, web] = units as [UnitSpec, UnitSpec, UnitSpec];
    await supervisor.stop(controller);
    expect(isProcessAlive(before[1]!.pid!)).toBe(false);
    expect(await supervisor.status(controller)).toMatchObject({ state: 'stopped', pid: null });
    expect((await supervisor.status(gateway)).pid).toBe(before[0]!.pid);
    expect(await keeperPids(temp.checkout.unitsDir)).toEqual([keeper]);
    await supervisor.stop(gateway);
    await supervisor.stop(web);
    expect((await waitFor(() => !isProcessAlive(keeper!), { timeoutMs: 5000 })).ok).toBe(true);
    expect(existsSync(keeperFiles(temp.checkout.unitsDir).lock)).toBe(false);
    // A start after that starts a keeper again.
    await supervisor.start(controller);
    await waitForHealthy(supervisor, controller);
  });
});
