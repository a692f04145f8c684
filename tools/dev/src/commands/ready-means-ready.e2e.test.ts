import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryReporter } from '../format/reporter.js';
import { SERVICES } from '../services/manifest.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';
import { startServices } from './start.js';
import { stopServices } from './stop.js';

const COLD_STARTS = 20;
// The controller and what it needs, with a gateway that takes a moment before it listens (as one
// loading a large state file does): the controller, started as soon as the gateway is launched,
// finds nobody there at first. Without web (whose own start is often slower than the controller's
// link), start returns as soon as both answer.
const SLOW_GATEWAY = 'dist/slow-start.mjs';
const services = SERVICES.flatMap((s) =>
  s.name === 'gateway' ? [{ ...s, entry: SLOW_GATEWAY }] : s.name === 'controller' ? [s] : [],
);
const backends: BackendName[] = ['process', 'systemd'];

describe.each(backends)('ready means ready on the %s backend', { timeout: 600_000 }, (backend) => {
  const checkouts = useBackendCheckouts(backend);

  it(`${COLD_STARTS} cold starts: the controller's gateway-backed endpoint answers the moment start returns`, async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    writeFileSync(
      join(checkout.root, 'apps/gateway', SLOW_GATEWAY),
      "await new Promise((resolve) => setTimeout(resolve, 500));\nawait import('./main.js');\n",
    );
    const errors: string[] = [];
    for (let run = 1; run <= COLD_STARTS; run++) {
      const report = await startServices({ checkout, backend, services, reporter: createMemoryReporter() });
      const controller = report.services.find((s) => s.name === 'controller')!;
      expect(controller.mode).toBe('started');
      // A session that does not exist: the gateway answers not_found (404); a link not up yet is 503.
      const response = await fetch(`${controller.url}/api/sessions/ready-check-${run}`);
      if (response.status !== 404)
        errors.push(`run ${run}: HTTP ${response.status} ${await response.text()}`);
      await stopServices({ checkout, reporter: createMemoryReporter() });
    }
    expect(errors).toEqual([]);
  });
});
