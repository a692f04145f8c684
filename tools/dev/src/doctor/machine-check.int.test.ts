import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices } from '../commands/start.js';
import { stopOrphanedServices } from '../commands/stop-machine.js';
import { createMemoryReporter } from '../format/reporter.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import { resolvePlatform } from '../supervisor/platform.js';
import { createIsolatedMachine, type IsolatedMachine } from '../test-support/isolated-machine.js';
import { createTempCheckout } from '../test-support/temp-checkout.js';
import { machineCheck } from './machine-check.js';
import { runDoctor } from './run-doctor.js';

// A machine of this test's own: the orphans it makes and stops are the only ones it can see.
let machine: IsolatedMachine;
beforeAll(async () => {
  machine = await createIsolatedMachine();
  machine.enter();
});
afterAll(async () => {
  await machine.close();
});

describe('the machine check', { timeout: 60_000 }, () => {
  it('services of a deleted checkout still running: named with their ports, and the fix is pnpm stop --orphans', async () => {
    const gone = createTempCheckout();
    const live = createTempCheckout({ services: false });
    try {
      const report = await startServices({
        checkout: gone.checkout,
        backend: 'process',
        reporter: createMemoryReporter(),
      });
      rmSync(gone.checkout.root, { recursive: true, force: true });
      const ports = report.services.map((s) => s.port).sort((a, b) => a - b);
      const env = { ...process.env, NEXU_DEV_BACKEND: 'process' };
      const { checks } = await runDoctor({
        checkout: live.checkout,
        env,
        platform: resolvePlatform({ env }),
        checks: [machineCheck],
      });
      expect(checks.find((c) => c.id === 'machine.orphans')).toEqual({
        id: 'machine.orphans',
        status: 'warn',
        finding: `3 services of a deleted checkout still run on ${ports.join(', ')}`,
        fix: 'pnpm stop --orphans',
      });
    } finally {
      await stopOrphanedServices({ reporter: createMemoryReporter() });
      expect(await findMarkedProcesses(gone.checkout.id)).toEqual([]);
      gone.remove();
      live.remove();
    }
  });
});
