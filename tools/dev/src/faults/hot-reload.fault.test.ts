import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import type { StartReport } from '../commands/start.js';
import { collectStatus } from '../commands/status.js';
import type { ServiceName } from '../services/manifest.js';
import { watchServices } from '../watch/watch.js';
import type { WatchSession } from '../watch/watch-session.js';
import { FAULT_BACKENDS, useFaultContext } from './fault-harness.js';

const revisionFile = (checkout: Checkout) => join(checkout.root, 'apps/controller/src/revision.ts');

describe.each(FAULT_BACKENDS)('hot reload faults on the %s backend', (backend) => {
  const ctx = useFaultContext(backend);

  /** A started checkout with a watch session (no tsc) and the lines it logged. */
  async function startWatching(): Promise<{
    checkout: Checkout;
    report: StartReport;
    session: WatchSession;
    lines: string[];
  }> {
    const checkout = ctx.open();
    const report = await ctx.start(checkout);
    const lines: string[] = [];
    const session = await watchServices({
      checkout,
      report,
      typecheck: false,
      log: (service, line) => lines.push(`${service}: ${line}`),
    });
    return { checkout, report, session, lines };
  }

  const controllerOf = (report: StartReport) => report.services.find((s) => s.name === 'controller')!;

  async function health(port: number): Promise<{ pid: number; revision: number } | undefined> {
    try {
      return (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
        pid: number;
        revision: number;
      };
    } catch {
      return undefined;
    }
  }

  const waitForRevision = async (port: number, revision: number) => {
    const served = await waitFor(async () => (await health(port))?.revision === revision, {
      timeoutMs: 30_000,
      maxIntervalMs: 100,
    });
    expect(served.ok, `revision ${revision} not served on ${port}`).toBe(true);
  };

  /** Gateway and web run as the very same processes, never restarted by the controller's reloads. */
  async function expectOthersUntouched(checkout: Checkout, report: StartReport) {
    const { report: status } = await collectStatus({ checkout, backend });
    const others: ServiceName[] = ['gateway', 'web'];
    for (const name of others) {
      const row = status.services.find((s) => s.name === name)!;
      const started = report.services.find((s) => s.name === name)!;
      expect({ name, state: row.state, healthy: row.healthy, pid: row.pid, restarts: row.restarts }).toEqual({
        name,
        state: 'running',
        healthy: true,
        pid: started.pid,
        restarts: 0,
      });
    }
  }

  it('a save that makes the controller crash-loop, then a fixing save: it comes back; peers untouched', async (t) => {
    if (!ctx.available()) t.skip();
    const { checkout, report, session, lines } = await startWatching();
    try {
      await writeFile(
        revisionFile(checkout),
        "export const REVISION = 2;\nif (process.env.NEXU_DEV_INSTANCE) throw new Error('fault injection: crash at startup');\n",
      );
      const crashed = await waitFor(
        async () => {
          const { report: status } = await collectStatus({ checkout, backend });
          return status.services.find((s) => s.name === 'controller')!.state === 'crashed';
        },
        { timeoutMs: 30_000, maxIntervalMs: 200 },
      );
      expect(crashed.ok).toBe(true);
      await session.idle();
      expect(lines.join('\n')).toMatch(/Unable to start controller[\s\S]*crash at startup/);

      await writeFile(revisionFile(checkout), 'export const REVISION = 3;\n');
      await waitForRevision(controllerOf(report).port, 3);
      await session.idle();
      const { report: status } = await collectStatus({ checkout, backend });
      const controller = status.services.find((s) => s.name === 'controller')!;
      expect([controller.state, controller.healthy]).toEqual(['running', true]);
      await expectOthersUntouched(checkout, report);
    } finally {
      await session.close();
    }
  });

  it('a build error keeps the old controller serving; the fix reloads it; peers untouched', async (t) => {
    if (!ctx.available()) t.skip();
    const { checkout, report, session, lines } = await startWatching();
    const port = controllerOf(report).port;
    try {
      await writeFile(revisionFile(checkout), 'export const REVISION: number = ;\n');
      const reported = await waitFor(() => /still serving the last good build/.test(lines.join('\n')), {
        timeoutMs: 30_000,
      });
      expect(reported.ok).toBe(true);
      await session.idle();
      expect(await health(port)).toMatchObject({ pid: controllerOf(report).pid, revision: 1 });

      await writeFile(revisionFile(checkout), 'export const REVISION = 4;\n');
      await waitForRevision(port, 4);
      await expectOthersUntouched(checkout, report);
    } finally {
      await session.close();
    }
  });

  it('50 rapid saves end on the last content with far fewer rebuilds; peers untouched', async (t) => {
    if (!ctx.available()) t.skip();
    const { checkout, report, session } = await startWatching();
    const port = controllerOf(report).port;
    try {
      for (let i = 1; i <= 50; i++)
        await writeFile(revisionFile(checkout), `export const REVISION = ${100 + i};\n`);
      await waitForRevision(port, 150);
      await session.idle();
      expect((await health(port))?.revision).toBe(150);
      const { builds } = session.stats('controller');
      expect(builds).toBeGreaterThanOrEqual(1);
      expect(builds).toBeLessThan(10);
      await expectOthersUntouched(checkout, report);
    } finally {
      await session.close();
    }
  });

  it('a source file deleted and restored: the old build serves meanwhile, the restored one loads', async (t) => {
    if (!ctx.available()) t.skip();
    const { checkout, report, session, lines } = await startWatching();
    const port = controllerOf(report).port;
    try {
      await rm(revisionFile(checkout));
      const reported = await waitFor(() => /still serving the last good build/.test(lines.join('\n')), {
        timeoutMs: 30_000,
      });
      expect(reported.ok).toBe(true);
      await session.idle();
      expect(await health(port)).toMatchObject({ pid: controllerOf(report).pid, revision: 1 });

      await writeFile(revisionFile(checkout), 'export const REVISION = 5;\n');
      await waitForRevision(port, 5);
      await expectOthersUntouched(checkout, report);
    } finally {
      await session.close();
    }
  });
});
