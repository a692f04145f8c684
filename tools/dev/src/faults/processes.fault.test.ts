import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import type { StartReport } from '../commands/start.js';
import { collectStatus, type StatusReport } from '../commands/status.js';
import { stopServices } from '../commands/stop.js';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import { isPortFree } from '../os/port-free.js';
import { isProcessAlive } from '../os/process-identity.js';
import { ServiceStartError } from '../plan/service-start-error.js';
import { readLedger } from '../ports/ledger.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { SERVICE_NAMES, type ServiceName, type ServiceSpec } from '../services/manifest.js';
import { serviceLogPath } from '../services/service-log-path.js';
import { STOP_GRACE_SECONDS } from '../supervisor/unit-policy.js';
import { keeperPids } from '../test-support/keeper-pids.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import {
  FAULT_BACKENDS,
  installFixture,
  servicePids,
  useFaultContext,
  withEnv,
  withService,
} from './fault-harness.js';

const pidsOf = (report: StartReport) => Object.fromEntries(report.services.map((s) => [s.name, s.pid]));

describe.each(FAULT_BACKENDS)('process faults on the %s backend', (backend) => {
  const ctx = useFaultContext(backend);

  const statusOf = async (checkout: Checkout, services?: readonly ServiceSpec[]) =>
    (await collectStatus({ checkout, backend, ...(services ? { services } : {}) })).report.services;
  const rowOf = async (checkout: Checkout, name: ServiceName, services?: readonly ServiceSpec[]) =>
    (await statusOf(checkout, services)).find((s) => s.name === name)!;

  /** The untouched services still run as the same healthy processes, never restarted. */
  async function expectUnaffected(checkout: Checkout, before: StartReport, names: ServiceName[]) {
    const rows = await statusOf(checkout);
    for (const name of names) {
      const row = rows.find((s) => s.name === name)!;
      expect({ name, state: row.state, healthy: row.healthy, pid: row.pid, restarts: row.restarts }).toEqual({
        name,
        state: 'running',
        healthy: true,
        pid: pidsOf(before)[name],
        restarts: 0,
      });
    }
  }

  it('kill -9 of each main pid: the supervisor restarts it and status counts the restart', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    await ctx.start(checkout);
    for (const name of SERVICE_NAMES) {
      const rows = await statusOf(checkout);
      const before = rows.find((s) => s.name === name)!;
      expect(before.pid).not.toBeNull();
      process.kill(before.pid!, 'SIGKILL');
      const after = await waitFor(
        async () => {
          const row = await rowOf(checkout, name);
          return row.state === 'running' &&
            row.healthy &&
            row.pid !== before.pid &&
            row.restarts > before.restarts
            ? row
            : undefined;
        },
        { timeoutMs: 15_000, maxIntervalMs: 100 },
      );
      expect(after.ok, `${name} was not restarted after kill -9`).toBe(true);
      // Its peers were not restarted by its death.
      const peers = (await statusOf(checkout)).filter((s) => s.name !== name);
      for (const peer of peers) {
        const was = rows.find((s) => s.name === peer.name)!;
        expect([peer.name, peer.pid, peer.state]).toEqual([peer.name, was.pid, 'running']);
      }
    }
  });

  it('a service exiting 1 on every start trips the crash-loop breaker; status says crashed, the log tail shows why, peers run on', {
    timeout: 150_000,
  }, async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const first = await ctx.start(checkout);
    const entry = installFixture(checkout, 'controller', 'crash-on-start.mjs');
    const crashing = withService('controller', (s) => ({ ...s, entry }));

    const began = performance.now();
    const error = await ctx.start(checkout, { services: crashing }).then(
      () => undefined,
      (e: Error) => e,
    );
    const elapsedMs = performance.now() - began;
    expect(error).toBeInstanceOf(ServiceStartError);
    expect(error?.message).toMatch(/fault injection: crashing on purpose/);
    // Start reports the tripped breaker as soon as it trips, not after its 30 s readiness deadline.
    expect(error?.message).toMatch(/crash loop: 5 failed starts in 30s/);
    expect(elapsedMs).toBeLessThan(30_000);
    // The ledger is rewritten: the services that came up are recorded with their pids, the crashed
    // controller no longer with the pid it had before.
    const { ledger } = await readLedger(checkout);
    for (const name of ['gateway', 'web'] as const) {
      expect(ledger?.services[name]?.pid).toBe(first.services.find((s) => s.name === name)!.pid);
    }
    expect(ledger?.services.controller).toBeUndefined();

    const tripped = await waitFor(
      async () => {
        const row = await rowOf(checkout, 'controller', crashing);
        return row.state === 'crashed' ? row : undefined;
      },
      { timeoutMs: 60_000, maxIntervalMs: 500 },
    );
    expect(tripped.ok).toBe(true);
    const row = await rowOf(checkout, 'controller', crashing);
    expect(row.state).toBe('crashed');
    expect(row.reason).toMatch(/crash loop/);
    expect(row.pid).toBeNull();
    // `restarts` means one thing on every backend: the restarts after the first of the 5 failed starts.
    const status = await spawnCli('status', ['--json'], { cwd: checkout.root }).done;
    const json = JSON.parse(status.stdout) as StatusReport;
    expect(json.services.find((s) => s.name === 'controller')).toMatchObject({
      state: 'crashed',
      restarts: 4,
    });
    // The breaker holds: nothing restarts it behind our back.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await rowOf(checkout, 'controller', crashing)).state).toBe('crashed');

    const logs = await spawnCli('logs', ['--service', 'controller', '--no-follow', '--lines', '5'], {
      cwd: checkout.root,
    }).done;
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/controller \| fault injection: crashing on purpose/);
    await expectUnaffected(checkout, first, ['gateway', 'web']);
  });

  it('a service exiting 78 (bad config) is not restarted; status says so; peers run on', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const first = await ctx.start(checkout);
    const badConfig = withEnv('controller', { PORT: 'not-a-port' });

    const began = performance.now();
    const error = await ctx.start(checkout, { services: badConfig }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(ServiceStartError);
    expect(error?.message).toMatch(/exited 78/);
    expect(error?.message).toMatch(/PORT must be an integer/);
    // Fails fast (not after the 30 s readiness deadline); on launchd the replaced controller's
    // bootstrap first waits out the bootout's drain (3-5 s, as a Mac: the fake plays it here).
    expect(performance.now() - began).toBeLessThan(backend === 'launchd' ? 15_000 : 10_000);

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const row = await rowOf(checkout, 'controller', badConfig);
    expect({ state: row.state, pid: row.pid, restarts: row.restarts }).toEqual({
      state: 'stopped',
      pid: null,
      restarts: 0,
    });
    expect(row.reason).toMatch(/78 \(configuration error\)/);
    await expectUnaffected(checkout, first, ['gateway', 'web']);
  });

  it('the orchestrator SIGKILLed mid-start: the next start finishes the job, no duplicates, lock recovered', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const gatewayPort = expectedPorts(checkout, null).gateway;
    const cli = spawnCli('start', ['--no-watch', '--backend', backend], { cwd: checkout.root });
    const gatewayUp = await waitFor(
      async () => {
        const health = await probeHealth(gatewayPort);
        return health.ok && health.answer.instance === checkout.id;
      },
      { timeoutMs: 30_000, intervalMs: 5, maxIntervalMs: 10 },
    );
    expect(gatewayUp.ok).toBe(true);
    process.kill(-cli.child.pid!, 'SIGKILL');
    const killed = await cli.done;
    expect(killed.code).toBeNull(); // it really died mid-way, not by finishing
    expect(existsSync(checkout.lockPath)).toBe(true); // its lock is left behind

    const report = await ctx.start(checkout);
    expect(report.services.find((s) => s.name === 'gateway')!.mode).toBe('attached');
    expect(existsSync(checkout.lockPath)).toBe(false);
    const running = await servicePids(checkout.id);
    for (const s of report.services) expect(running[s.name]).toEqual([s.pid]);
    for (const row of await statusOf(checkout))
      expect([row.name, row.state, row.healthy]).toEqual([row.name, 'running', true]);
  });

  it('two starts at once: one runs, the other waits or exits with a clear message; never two instances', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const runs = [0, 1].map(() =>
      spawnCli('start', ['--no-watch', '--backend', backend], { cwd: checkout.root }),
    );
    let finished = false;
    const all = Promise.all(runs.map((r) => r.done)).finally(() => {
      finished = true;
    });
    let most = 0;
    while (!finished) {
      const running = await servicePids(checkout.id);
      most = Math.max(most, ...Object.values(running).map((pids) => pids.length));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const results = await all;
    expect(most).toBeLessThanOrEqual(1);
    expect(results.some((r) => r.code === 0)).toBe(true);
    for (const r of results) {
      if (r.code !== 0) {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
          /another nexu dev command \(pid \d+, `pnpm start`\) is running in this checkout/,
        );
      }
    }
    const running = await servicePids(checkout.id);
    expect(Object.values(running).map((pids) => pids.length)).toEqual([1, 1, 1]);
    for (const row of await statusOf(checkout))
      expect([row.name, row.state, row.healthy]).toEqual([row.name, 'running', true]);
  });

  it('a service ignoring SIGTERM: pnpm stop still finishes (SIGKILL after the grace period)', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const entry = installFixture(checkout, 'controller', 'ignore-sigterm.mjs');
    const report = await ctx.start(checkout, {
      services: withService('controller', (s) => ({ ...s, entry })),
    });
    const controller = report.services.find((s) => s.name === 'controller')!;

    const began = performance.now();
    await stopServices({ checkout, reporter: createMemoryReporter() });
    const elapsedMs = performance.now() - began;
    expect(isProcessAlive(controller.pid)).toBe(false);
    expect(await isPortFree(controller.port)).toBe(true);
    // It got SIGTERM first (and ignored it), and was killed once the grace ran out.
    expect(readFileSync(serviceLogPath(checkout, 'controller'), 'utf8')).toMatch(
      /fault injection: ignoring SIGTERM/,
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(STOP_GRACE_SECONDS * 1000 - 500);
    expect(elapsedMs).toBeLessThan(STOP_GRACE_SECONDS * 1000 + 10_000);
  });
});

// The process backend's own supervisor: one keeper per checkout (supervisor/keeper.ts).
describe('the process keeper', () => {
  const ctx = useFaultContext('process');

  it('one keeper runs the three services; kill -9 of it: the next start brings them back, each once, under one keeper', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const before = await ctx.start(checkout);
    const [keeper, ...more] = await keeperPids(checkout.unitsDir);
    expect(more).toEqual([]);
    process.kill(keeper!, 'SIGKILL');
    expect((await waitFor(() => !isProcessAlive(keeper!), { timeoutMs: 5000 })).ok).toBe(true);

    const report = await ctx.start(checkout);
    const running = await servicePids(checkout.id);
    for (const s of report.services) expect(running[s.name]).toEqual([s.pid]);
    for (const row of (await collectStatus({ checkout, backend: 'process' })).report.services)
      expect([row.name, row.state, row.healthy]).toEqual([row.name, 'running', true]);
    const keepers = await keeperPids(checkout.unitsDir);
    expect(keepers).toHaveLength(1);
    expect(keepers[0]).not.toBe(keeper);
    // The services the dead keeper left were stopped, not left running beside the new ones.
    for (const pid of Object.values(pidsOf(before))) expect(isProcessAlive(pid)).toBe(false);
  });
});
