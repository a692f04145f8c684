import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { runCommand } from '../os/command-runner.js';
import { isPortFree } from '../os/port-free.js';
import { isProcessAlive } from '../os/process-identity.js';
import {
  createContractCheckout,
  type FixtureMode,
  fixtureUnit,
  readHealth,
  waitForHealthy,
  waitForStatus,
} from '../test-support/contract-harness.js';
import {
  launchdTestPlatform,
  loadedLaunchdLabels,
  useFakeLaunchdState,
} from '../test-support/launchd-test-platform.js';
import { DEFAULT_CRASH_LOOP } from './crash-loop.js';
import { LaunchdSupervisor } from './launchd.js';
import { resolvePlatform } from './platform.js';
import { ProcessSupervisor } from './process.js';
import { systemdUnitName } from './render-systemd-unit.js';
import type { BackendName, Supervisor, UnitSpec } from './supervisor.js';
import { SystemdSupervisor } from './systemd.js';

/** How the contract reaches one backend here. */
interface BackendCase {
  readonly name: BackendName;
  /** Why the backend cannot run on this machine (the suite is skipped), or null. */
  readonly skipReason: string | null;
  create(checkout: Checkout): Supervisor;
  /** Files an installed unit leaves, which uninstall must remove. */
  unitFiles(checkout: Checkout, label: string): string[];
  /** Extra checks that nothing of this checkout is left (runs after every test's cleanup). */
  assertNothingLeft?(checkout: Checkout): Promise<void>;
}

const platform = resolvePlatform();
const systemdPreflight = await new SystemdSupervisor({ unitsDir: '/nonexistent' }).preflight();

const launchdPlatform = launchdTestPlatform();

const cases: BackendCase[] = [
  {
    name: 'launchd',
    // The real launchctl on a Mac; elsewhere the fake launchctl plays it (launchdTestPlatform).
    skipReason: null,
    create(checkout) {
      useFakeLaunchdState(join(checkout.stateDir, 'fake-launchd'));
      return new LaunchdSupervisor({ unitsDir: checkout.unitsDir, platform: launchdPlatform });
    },
    unitFiles: (checkout, label) => [join(checkout.unitsDir, `${label}.plist`)],
    async assertNothingLeft(checkout) {
      expect(await loadedLaunchdLabels(checkout.id, launchdPlatform)).toEqual([]);
    },
  },
  {
    name: 'systemd',
    // Skipped only on a machine without a user manager; in CI it must run.
    skipReason: systemdPreflight.ok || process.env.CI ? null : systemdPreflight.reason,
    create: (checkout) => new SystemdSupervisor({ unitsDir: checkout.unitsDir }),
    unitFiles: (checkout, label) => [
      join(platform.systemdUserDir ?? '/nonexistent', systemdUnitName(label)),
      join(checkout.unitsDir, systemdUnitName(label)),
    ],
    async assertNothingLeft(checkout) {
      const result = await runCommand(
        ['systemctl', '--user', 'list-units', '--all', '--plain', '--no-legend', 'io.nexu.*'],
        { env: platform.systemctlEnv },
      );
      expect(result.stdout.split('\n').filter((line) => line.includes(checkout.id))).toEqual([]);
    },
  },
  {
    name: 'process',
    skipReason: null,
    // A keeper registry of its own: the user's is shared with every other checkout on the machine.
    create: (checkout) =>
      new ProcessSupervisor({ unitsDir: checkout.unitsDir, registryDir: join(checkout.stateDir, 'keepers') }),
    unitFiles: (checkout, label) => [
      join(checkout.unitsDir, `${label}.unit.json`),
      join(checkout.unitsDir, `${label}.json`),
      join(checkout.stateDir, 'keepers', `${label}.json`),
    ],
  },
];

describe.each(cases)('$name supervisor', (backend) => {
  let temp: ReturnType<typeof createContractCheckout>;
  let supervisor: Supervisor;
  let units: UnitSpec[] = [];
  const pids = new Set<number>();

  beforeAll(() => {
    temp = createContractCheckout();
    supervisor = backend.create(temp.checkout);
  });

  afterEach(async () => {
    for (const unit of units) await supervisor.uninstall(unit);
    for (const unit of units) expect(await isPortFree(unit.port)).toBe(true);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
    expect(await supervisor.listInstalled(temp.checkout.id)).toEqual([]);
    await backend.assertNothingLeft?.(temp.checkout);
    units = [];
    pids.clear();
  });

  afterAll(() => temp?.remove());

  /** A fixture unit cleaned up after the test. */
  const unitFor = async (service: string, options: { mode?: FixtureMode; greeting?: string } = {}) => {
    const unit = await fixtureUnit(temp.checkout, service, options);
    units.push(unit);
    return unit;
  };
  /** Installs, starts and waits until healthy; remembers the pid for the gone-check. */
  const startHealthy = async (unit: UnitSpec) => {
    await supervisor.install(unit);
    await supervisor.start(unit);
    const { status, health } = await waitForHealthy(supervisor, unit);
    pids.add(health.pid);
    return { status, health };
  };

  it.skipIf(backend.skipReason !== null)('reports a unit that does not exist as not-installed', async () => {
    const unit = await unitFor('ghost');
    expect(await supervisor.status(unit)).toMatchObject({ state: 'not-installed', pid: null });
    expect(await supervisor.drift(unit)).toBeNull();
  });

  describe.skipIf(backend.skipReason !== null)('with a fixture service', () => {
    it('installs once; re-installing the same unit is a no-op', async () => {
      const unit = await unitFor('install');
      expect(await supervisor.install(unit)).toBe('installed');
      expect(await supervisor.install(unit)).toBe('unchanged');
      expect(await supervisor.drift(unit)).toEqual([]);
      expect((await supervisor.listInstalled(temp.checkout.id)).map((u) => u.label)).toEqual([unit.label]);
    });

    it('starts the service with its environment and working directory; start again is a no-op', async () => {
      const unit = await unitFor('start');
      const { status, health } = await startHealthy(unit);
      expect(status).toMatchObject({ state: 'running' });
      expect(await supervisor.drift(unit)).toEqual([]);
      expect(health).toMatchObject({
        instance: temp.checkout.id,
        greeting: unit.env.FIXTURE_GREETING,
        cwd: unit.cwd,
      });
      await supervisor.start(unit);
      expect((await supervisor.status(unit)).pid).toBe(status.pid);
    });

    it('replaces a changed unit and runs it again with the new environment', async () => {
      const unit = await unitFor('replace', { greeting: 'first' });
      await startHealthy(unit);
      const changed = { ...unit, env: { ...unit.env, FIXTURE_GREETING: 'second' } };
      expect(await supervisor.drift(changed)).toEqual(['env.FIXTURE_GREETING']);
      expect(await supervisor.install(changed)).toBe('replaced');
      const { status, health } = await waitForHealthy(supervisor, changed);
      pids.add(health.pid);
      expect(health.greeting).toBe('second');
      expect(status.state).toBe('running');
      expect(await supervisor.drift(changed)).toEqual([]);
    });

    it('restart kills the service and starts a new process', async () => {
      const unit = await unitFor('restart');
      const before = await startHealthy(unit);
      await supervisor.restart(unit);
      const after = await waitForStatus(
        supervisor,
        unit,
        (s) => s.state === 'running' && s.pid !== before.status.pid,
      );
      pids.add(after.pid!);
      expect(isProcessAlive(before.health.pid)).toBe(false);
      const { health } = await waitForHealthy(supervisor, unit);
      expect(health.pid).toBe(after.pid);
    });

    it('restarts a service that crashed (kill -9 of its main pid)', async () => {
      const unit = await unitFor('crash');
      const before = await startHealthy(unit);
      process.kill(before.status.pid!, 'SIGKILL');
      const after = await waitForStatus(
        supervisor,
        unit,
        (s) => s.state === 'running' && s.pid !== null && s.pid !== before.status.pid,
      );
      pids.add(after.pid!);
      expect(after.restarts).toBeGreaterThan(before.status.restarts);
      const { health } = await waitForHealthy(supervisor, unit);
      expect(health.pid).toBe(after.pid);
    });

    it('stops a crash loop and says why', async () => {
      const unit = await unitFor('loop', { mode: 'crash-on-start' });
      await supervisor.install(unit);
      await supervisor.start(unit);
      const status = await waitForStatus(supervisor, unit, (s) => s.state === 'crashed');
      expect(status.reason).toMatch(/crash loop/);
      expect(status.pid).toBeNull();
      // One meaning on every backend: the restarts after a failure since the explicit start (5
      // failed starts: the first, then 4 restarts).
      expect(status.restarts).toBe(DEFAULT_CRASH_LOOP.maxStarts - 1);
    });

    it('does not restart a service that exits 78 (configuration error) and says why', async () => {
      const unit = await unitFor('config', { mode: 'exit78' });
      await supervisor.install(unit);
      await supervisor.start(unit);
      const status = await waitForStatus(
        supervisor,
        unit,
        (s) => s.state === 'stopped' && s.lastExit !== null,
      );
      expect(status).toMatchObject({ pid: null, restarts: 0, lastExit: { code: 78, signal: null } });
      expect(status.reason).toMatch(/78 \(configuration error\)/);
    });

    it('stop waits until the process is gone and the port is free', async () => {
      const unit = await unitFor('stop');
      const { health } = await startHealthy(unit);
      await supervisor.stop(unit);
      expect(isProcessAlive(health.pid)).toBe(false);
      expect(await isPortFree(unit.port)).toBe(true);
      expect(await supervisor.status(unit)).toMatchObject({ state: 'stopped', pid: null });
      expect(await supervisor.drift(unit)).toEqual([]);
      await supervisor.stop(unit); // idempotent
    });

    it('stop kills a service that ignores SIGTERM', async () => {
      const unit = await unitFor('stubborn', { mode: 'ignore-sigterm' });
      const { health } = await startHealthy(unit);
      await supervisor.stop(unit);
      expect(isProcessAlive(health.pid)).toBe(false);
      expect(await isPortFree(unit.port)).toBe(true);
    });

    it('lists the unit machine-wide with its checkout, port and state, and no more once uninstalled', async () => {
      const unit = await unitFor('machine');
      const { status } = await startHealthy(unit);
      const mine = async (options?: { except: string }) =>
        (await supervisor.listMachine(options)).filter((found) => found.label === unit.label);
      expect(await mine()).toEqual([
        {
          label: unit.label,
          service: 'machine',
          checkoutId: temp.checkout.id,
          backend: backend.name,
          marker: temp.checkout.id,
          root: temp.checkout.root,
          port: unit.port,
          status: expect.objectContaining({ state: 'running', pid: status.pid }),
        },
      ]);
      expect(await mine({ except: temp.checkout.id })).toEqual([]);
      await supervisor.uninstall(unit);
      expect(await mine()).toEqual([]);
    });

    it('uninstall leaves nothing behind', async () => {
      const unit = await unitFor('uninstall');
      const { health } = await startHealthy(unit);
      await supervisor.uninstall(unit);
      expect(isProcessAlive(health.pid)).toBe(false);
      expect(await readHealth(unit.port)).toBeNull();
      // launchd keeps the label for a moment (its drain): stopped, saying so, then not installed.
      const after = await supervisor.status(unit);
      if (after.state !== 'not-installed') {
        expect(backend.name).toBe('launchd');
        expect(after).toMatchObject({ state: 'stopped', pid: null, reason: 'launchd is still unloading it' });
      }
      expect(await waitForStatus(supervisor, unit, (s) => s.state === 'not-installed')).toMatchObject({
        pid: null,
      });
      for (const file of backend.unitFiles(temp.checkout, unit.label)) expect(existsSync(file)).toBe(false);
      await supervisor.uninstall(unit); // idempotent
    });
  });
});
