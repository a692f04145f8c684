import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import { collectStatus } from '../commands/status.js';
import { stopServices } from '../commands/stop.js';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import { type Ledger, readLedger, writeLedger } from '../ports/ledger.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { SERVICE_NAMES, type ServiceName } from '../services/manifest.js';
import {
  FAULT_BACKENDS,
  type ForeignProcess,
  installFixture,
  isIntact,
  useFaultContext,
  withService,
} from './fault-harness.js';

describe.each(FAULT_BACKENDS)('port faults on the %s backend', (backend) => {
  const ctx = useFaultContext(backend);

  it('a foreign listener on every preferred port is never signalled; each service moves to another port', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const preferred = expectedPorts(checkout, null);
    // Loopback and wildcard squatters: both must count as taken, neither may be touched.
    const hosts: Record<ServiceName, string> = {
      gateway: '127.0.0.1',
      controller: '0.0.0.0',
      web: '127.0.0.1',
    };
    const squatters: Record<string, ForeignProcess> = Object.fromEntries(
      await Promise.all(
        SERVICE_NAMES.map(async (name) => [
          name,
          await ctx.foreign({ port: preferred[name], host: hosts[name] }),
        ]),
      ),
    );

    const reporter = createMemoryReporter();
    const report = await ctx.start(checkout, { reporter });
    for (const service of report.services) {
      const squatter = squatters[service.name]!;
      expect(service.port).not.toBe(preferred[service.name]);
      expect(reporter.lines.join('\n')).toContain(
        `port ${preferred[service.name]} is held by pid ${squatter.pid}`,
      );
      const health = await probeHealth(service.port);
      expect(health.ok && health.answer.instance).toBe(checkout.id);
    }
    await stopServices({ checkout, reporter: createMemoryReporter() });
    for (const squatter of Object.values(squatters)) expect(await isIntact(squatter)).toBe(true);
  });

  it('a foreign process whose pid is in our ledger with another start time is never signalled', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const reused = await ctx.foreign({ port: 0 });
    const now = new Date().toISOString();
    // The ledger says: the gateway is pid <foreign> on the foreign's port, started at another time.
    const poisoned = (services: Ledger['services']): Ledger => ({
      version: 1,
      checkoutId: checkout.id,
      backend,
      updatedAt: now,
      services: {
        ...services,
        gateway: {
          label: `io.nexu.gateway.${checkout.id}.dev`,
          port: reused.port!,
          pid: reused.pid,
          startTime: `${Number(reused.startTime) - 1}`,
          since: now,
          mode: 'started',
        },
      },
    });
    await writeLedger(checkout, poisoned({}));

    const report = await ctx.start(checkout);
    const gateway = report.services.find((s) => s.name === 'gateway')!;
    expect(gateway.port).not.toBe(reused.port);
    expect(await isIntact(reused)).toBe(true);

    // Stop with the same lie in the ledger (next to the real entries): still untouched.
    const { ledger } = await readLedger(checkout);
    await writeLedger(checkout, poisoned(ledger!.services));
    await stopServices({ checkout, reporter: createMemoryReporter() });
    expect(await isIntact(reused)).toBe(true);
  });

  it('a port taken between allocation and bind: the service comes up on another port, no crash loop', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const entry = installFixture(checkout, 'controller', 'bind-race.mjs');
    const faultDir = join(checkout.root, '.fault');
    mkdirSync(faultDir);
    const services = withService('controller', (s) => ({
      ...s,
      entry,
      env: (ports) => ({ ...s.env(ports), NEXU_FAULT_DIR: faultDir }),
    }));
    const reporter = createMemoryReporter();
    const starting = ctx.start(checkout, { services, reporter });

    // The controller checked its port free and was started; now someone else takes the port.
    const ready = join(faultDir, 'race-ready');
    const announced = await waitFor(() => existsSync(ready) && Number(readFileSync(ready, 'utf8')), {
      timeoutMs: 30_000,
    });
    expect(announced.ok).toBe(true);
    const racedPort = announced.ok ? announced.value : 0;
    const thief = await ctx.foreign({ port: racedPort });
    writeFileSync(join(faultDir, 'race-go'), '');

    const report = await starting;
    const controller = report.services.find((s) => s.name === 'controller')!;
    expect(controller.port).not.toBe(racedPort);
    expect(reporter.lines.join('\n')).toContain(`port ${racedPort} was taken before it could bind it`);
    const { report: status } = await collectStatus({ checkout, backend, services });
    const row = status.services.find((s) => s.name === 'controller')!;
    expect({ state: row.state, healthy: row.healthy, restarts: row.restarts }).toEqual({
      state: 'running',
      healthy: true,
      restarts: 0,
    });
    // The web server was given the controller's new port.
    const web = report.services.find((s) => s.name === 'web')!;
    const runtime = (await (await fetch(`${web.url}/api/runtime`)).json()) as { port: number };
    expect(runtime.port).toBe(controller.port);
    expect(await isIntact(thief)).toBe(true);
  });
});
