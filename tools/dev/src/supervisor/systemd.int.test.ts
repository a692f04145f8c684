import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../os/command-runner.js';
import { isBackendAvailable } from '../test-support/backend-available.js';
import {
  createContractCheckout,
  fixtureUnit,
  waitForHealthy,
  waitForStatus,
} from '../test-support/contract-harness.js';
import { resolvePlatform } from './platform.js';
import type { UnitSpec } from './supervisor.js';
import { SystemdSupervisor } from './systemd.js';

describe('systemd backend', () => {
  let available = true;
  const temp = createContractCheckout();
  const supervisor = new SystemdSupervisor({ unitsDir: temp.checkout.unitsDir });
  const units: UnitSpec[] = [];
  beforeAll(async () => {
    available = await isBackendAvailable('systemd');
  });
  afterEach(async () => {
    for (const unit of units.splice(0)) await supervisor.uninstall(unit);
  });
  afterAll(() => temp.remove());

  it('stops a crash loop even while the user manager reloads (every start and stop of a checkout reloads it)', async (ctx) => {
    if (!available) ctx.skip();
    const unit = await fixtureUnit(temp.checkout, 'reloads', { mode: 'crash-on-start' });
    units.push(unit);
    await supervisor.install(unit);
    // systemd forgets its start-limit counters at each daemon-reload: with reloads going on, its
    // own StartLimitBurst would let the service crash forever.
    let reloading = true;
    const reloads = (async () => {
      while (reloading) {
        await runCommand(['systemctl', '--user', 'daemon-reload'], { env: resolvePlatform().systemctlEnv });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    try {
      await supervisor.start(unit);
      const status = await waitForStatus(supervisor, unit, (s) => s.state === 'crashed', 30_000);
      expect(status.reason).toMatch(/crash loop: 5 failed starts in 30s/);
      expect(status.pid).toBeNull();
    } finally {
      reloading = false;
      await reloads;
    }
  });

  it('restarts as often as hot reloads ask, past systemd start limit (which counts explicit restarts)', async (ctx) => {
    if (!available) ctx.skip();
    // Burst 2 x 4 = 8 starts in 30 s: the eighth restart below is one systemd refuses.
    const strict = new SystemdSupervisor({
      unitsDir: temp.checkout.unitsDir,
      crashLoop: { maxStarts: 2, windowMs: 30_000 },
    });
    const unit = await fixtureUnit(temp.checkout, 'restarts', { mode: 'normal' });
    units.push(unit);
    await strict.install(unit);
    await strict.start(unit);
    let { health } = await waitForHealthy(strict, unit);
    for (let i = 1; i <= 10; i++) {
      await strict.restart(unit);
      const before = health.pid;
      ({ health } = await waitForHealthy(strict, unit));
      expect(health.pid, `restart ${i}`).not.toBe(before);
    }
  });

  it('a program that exits at once is launched, not a failed start (systemd 252-255 fail its start job: systemd/systemd#28304)', async (ctx) => {
    if (!available) ctx.skip();
    // Exits 78 (a configuration error) before systemd has handled its exec: with Type=exec, about
    // every other `systemctl start` fails here although the program ran.
    const script = join(temp.checkout.root, 'exit-78.sh');
    writeFileSync(script, '#!/bin/sh\nexit 78\n', { mode: 0o755 });
    const unit = { ...(await fixtureUnit(temp.checkout, 'exits-at-once')), argv: [script] };
    units.push(unit);
    await supervisor.install(unit);
    for (let i = 1; i <= 10; i++) {
      await expect(supervisor.start(unit), `start ${i}`).resolves.toBeUndefined();
      const status = await waitForStatus(supervisor, unit, (s) => s.lastExit?.code === 78, 10_000);
      expect(status.state).toBe('stopped');
    }
  });

  it('a unit systemd cannot set up fails to start, saying how its process ended', async (ctx) => {
    if (!available) ctx.skip();
    const unit = { ...(await fixtureUnit(temp.checkout, 'no-cwd')), cwd: join(temp.checkout.root, 'gone') };
    units.push(unit);
    await supervisor.install(unit);
    await expect(supervisor.start(unit)).rejects.toThrow(
      /systemd could not set its process up: exit status 200 \(systemd\.exec\(5\)/,
    );
  });
});
