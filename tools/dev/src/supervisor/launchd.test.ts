import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@nexu/service-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../os/process-identity.js';
import { createContractCheckout, fixtureUnit, waitForHealthy } from '../test-support/contract-harness.js';
import { LaunchdSupervisor } from './launchd.js';
import { resolvePlatform } from './platform.js';
import type { UnitSpec } from './supervisor.js';

const FAKE = fileURLToPath(new URL('../test-support/fake-launchctl.mjs', import.meta.url));
const uid = process.getuid?.() ?? 0;

describe('launchd backend (fake launchctl)', () => {
  let temp: ReturnType<typeof createContractCheckout>;
  let supervisor: LaunchdSupervisor;
  let stateDir: string;
  const units: UnitSpec[] = [];
  const pids: number[] = [];
  const calls = () =>
    readFileSync(join(stateDir, 'calls.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string[]);
  const fake = (...args: string[]) => spawnSync(FAKE, args, { encoding: 'utf8' });

  beforeAll(() => {
    chmodSync(FAKE, 0o755);
    temp = createContractCheckout();
    stateDir = join(temp.checkout.stateDir, 'fake-launchd');
    mkdirSync(stateDir, { recursive: true });
    process.env.FAKE_LAUNCHCTL_STATE = stateDir;
  });
  const create = () =>
    new LaunchdSupervisor({
      unitsDir: temp.checkout.unitsDir,
      platform: resolvePlatform({ platform: 'darwin', launchctlPath: FAKE }),
    });
  const unitFor = async (service: string) => {
    const unit = await fixtureUnit(temp.checkout, service);
    units.push(unit);
    return unit;
  };

  afterEach(async () => {
    for (const unit of units.splice(0)) await supervisor.uninstall(unit);
    for (const pid of pids.splice(0)) expect(await isProcessAlive(pid)).toBe(false);
    delete process.env.FAKE_LAUNCHCTL_NO_GUI;
    delete process.env.FAKE_LAUNCHCTL_DRAIN_MS;
  });
  afterAll(() => temp?.remove());

  it('writes the plist owned by the user and not group/world writable', async () => {
    supervisor = create();
    const unit = await unitFor('perms');
    await supervisor.install(unit);
    const stat = statSync(join(temp.checkout.unitsDir, `${unit.label}.plist`));
    expect(stat.mode & 0o022).toBe(0);
    expect(stat.uid).toBe(uid);
  });

  it('enables a disabled label before bootstrapping it', async () => {
    supervisor = create();
    const unit = await unitFor('disabled');
    expect(fake('disable', `gui/${uid}/${unit.label}`).status).toBe(0);
    await supervisor.install(unit);
    await supervisor.start(unit);
    pids.push((await waitForHealthy(supervisor, unit)).health.pid);
    const verbs = calls().map((argv) => argv.slice(0, 2).join(' '));
    expect(verbs.lastIndexOf(`enable gui/${uid}/${unit.label}`)).toBeLessThan(
      verbs.lastIndexOf(`bootstrap gui/${uid}`),
    );
  });

  it('retries bootstrap while a previous bootout is still draining', async () => {
    process.env.FAKE_LAUNCHCTL_DRAIN_MS = '1500';
    supervisor = create();
    const unit = await unitFor('drain');
    await supervisor.install(unit);
    await supervisor.start(unit);
    pids.push((await waitForHealthy(supervisor, unit)).health.pid);
    expect(fake('bootout', `gui/${uid}/${unit.label}`).status).toBe(0);
    // bootout returns before the job is gone: wait until launchd shows it draining.
    const draining = await waitFor(() =>
      fake('print', `gui/${uid}/${unit.label}`).stdout.includes('state = SIGTERMed'),
    );
    expect(draining.ok).toBe(true);
    const before = calls().length;
    await supervisor.start(unit);
    pids.push((await waitForHealthy(supervisor, unit)).health.pid);
    const bootstraps = calls()
      .slice(before)
      .filter(([verb]) => verb === 'bootstrap');
    expect(bootstraps.length).toBeGreaterThan(1);
  });

  it('falls back to user/<uid> when gui/<uid> answers 125 (no GUI session)', async () => {
    process.env.FAKE_LAUNCHCTL_NO_GUI = '1';
    supervisor = create();
    expect(await supervisor.preflight()).toEqual({ ok: true });
    const unit = await unitFor('ssh');
    await supervisor.install(unit);
    await supervisor.start(unit);
    pids.push((await waitForHealthy(supervisor, unit)).health.pid);
    expect(calls()).toContainEqual([
      'bootstrap',
      `user/${uid}`,
      join(temp.checkout.unitsDir, `${unit.label}.plist`),
    ]);
  });

  it('explains a plist with bad permissions (122)', async () => {
    supervisor = create();
    const unit = await unitFor('badperms');
    await supervisor.install(unit);
    chmodSync(join(temp.checkout.unitsDir, `${unit.label}.plist`), 0o666);
    await expect(supervisor.start(unit)).rejects.toThrow(/exited with 122[\s\S]*chmod 600/);
  });

  it('is unavailable off macOS unless NEXU_DEV_LAUNCHCTL names a stand-in launchctl', async () => {
    const linux = new LaunchdSupervisor({
      unitsDir: '/x',
      platform: resolvePlatform({ platform: 'linux', env: {} }),
    });
    expect(await linux.preflight()).toMatchObject({ ok: false, reason: expect.stringMatching(/macOS/) });
    const stand = new LaunchdSupervisor({
      unitsDir: '/x',
      platform: resolvePlatform({ platform: 'linux', env: { NEXU_DEV_LAUNCHCTL: FAKE } }),
    });
    expect(await stand.preflight()).toEqual({ ok: true });
  });
});
