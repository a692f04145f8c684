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
});
