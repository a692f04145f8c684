import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import { type Checkout, resolveCheckout } from '../checkout/checkout.js';
import { createMemoryReporter } from '../format/reporter.js';
import { isPortFree } from '../os/port-free.js';
import { isProcessAlive } from '../os/process-identity.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import { expectedPorts } from '../ports/resolve-port.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';
import { startServices } from './start.js';
import { collectStatus } from './status.js';
import { stopServices } from './stop.js';

const backends: BackendName[] = ['process', 'systemd', 'launchd'];

/** Every file under the checkout's state folder with its bytes and mtime: what "changed nothing" means. */
function snapshotState(checkout: Checkout): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, name.name);
      if (name.isDirectory()) visit(path);
      // Logs grow while services run; everything else must stay byte for byte.
      else if (!path.startsWith(checkout.logsDir))
        files[path] = `${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`;
    }
  };
  visit(checkout.stateDir);
  return files;
}

/** The rows of the dry-run table: service -> [action, port, reason]. */
function planRows(stdout: string): Record<string, [string, string, string]> {
  const rows: Record<string, [string, string, string]> = {};
  for (const line of stdout.split('\n')) {
    const match = /^(gateway|controller|web)\s+(attach|start|replace)\s+(\d+)\s+(.*)$/.exec(line);
    if (match) rows[match[1]!] = [match[2]!, match[3]!, match[4]!];
  }
  return rows;
}

describe.each(backends)('pnpm start --dry-run on the %s backend', { timeout: 60_000 }, (backend) => {
  const checkouts = useBackendCheckouts(backend);
  const open = checkouts.open;

  const dryRun = (checkout: Checkout, env?: NodeJS.ProcessEnv) =>
    spawnCli('start', ['--dry-run', '--backend', backend], { cwd: checkout.root, ...(env ? { env } : {}) })
      .done;

  it('on a new checkout plans to start everything and creates no state at all', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const result = await dryRun(checkout);
    expect(result.code, result.stderr).toBe(0);
    const rows = planRows(result.stdout);
    const ports = expectedPorts(checkout, null);
    expect(rows).toEqual({
      gateway: ['start', String(ports.gateway), 'not installed'],
      controller: ['start', String(ports.controller), 'not installed'],
      web: ['start', String(ports.web), 'not installed'],
    });
    expect(result.stdout).toContain(`Dry run on the ${backend} backend: nothing was changed.`);
    expect(existsSync(checkout.stateDir)).toBe(false);
  });

  it('in a checkout moved while its services run, plans to take them back on their ports, and changes nothing', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const before = open();
    const started = await startServices({ checkout: before, backend, reporter: createMemoryReporter() });
    renameSync(before.root, `${before.root}-moved`);
    const moved = resolveCheckout(`${before.root}-moved`);
    try {
      const snapshot = snapshotState(moved);
      const result = await dryRun(moved);
      expect(result.code, result.stderr).toBe(0);
      expect(planRows(result.stdout)).toEqual(
        Object.fromEntries(started.services.map((s) => [s.name, ['start', String(s.port), 'not installed']])),
      );
      const labels = started.services.map((s) => `${s.label} (${backend})`);
      const line = result.stdout.split('\n').find((l) => l.startsWith('This checkout moved here from'));
      expect(line).toMatch(
        new RegExp(
          `^This checkout moved here from ${before.root}: would stop .* and reuse its ports where free$`,
        ),
      );
      for (const label of labels) expect(line).toContain(label);
      expect(snapshotState(moved)).toEqual(snapshot);
      for (const s of started.services) expect(isProcessAlive(s.pid)).toBe(true);
    } finally {
      await stopServices({ checkout: moved, reporter: createMemoryReporter() });
    }
    expect(await findMarkedProcesses(before.id)).toEqual([]);
  });

  it('attaches to what runs, shows a drifted unit as replace with the key that changed, and changes nothing', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const started = await startServices({ checkout, backend, reporter: createMemoryReporter() });
    const before = snapshotState(checkout);

    const unchanged = await dryRun(checkout);
    expect(unchanged.code, unchanged.stderr).toBe(0);
    expect(Object.values(planRows(unchanged.stdout)).map(([action]) => action)).toEqual([
      'attach',
      'attach',
      'attach',
    ]);

    // A token in the developer's shell is passed to every service: every unit would change.
    const drifted = await dryRun(checkout, { NEXU_GATEWAY_TOKEN: 'dry-run-secret' });
    expect(drifted.code, drifted.stderr).toBe(0);
    const rows = planRows(drifted.stdout);
    for (const service of started.services) {
      expect(rows[service.name]).toEqual([
        'replace',
        String(service.port),
        'unit changed: env.NEXU_GATEWAY_TOKEN',
      ]);
    }
    expect(drifted.stdout).not.toContain('dry-run-secret');

    // Nothing changed: same files byte for byte, no lock left, the same processes answering.
    expect(snapshotState(checkout)).toEqual(before);
    expect(existsSync(checkout.lockPath)).toBe(false);
    const { report } = await collectStatus({ checkout, backend });
    expect(report.services.map((s) => [s.name, s.pid, s.healthy])).toEqual(
      started.services.map((s) => [s.name, s.pid, true]),
    );
  });

  it('names a foreign holder of a port and the port the service would move to, touching neither', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = open();
    const controllerPort = expectedPorts(checkout, null).controller;
    const squatter = spawn(
      process.execPath,
      ['-e', `require('node:net').createServer().listen(${controllerPort}, '127.0.0.1')`],
      { stdio: 'ignore', env: { PATH: process.env.PATH } },
    );
    checkouts.killAfter(squatter.pid!);
    expect((await waitFor(async () => !(await isPortFree(controllerPort)), { timeoutMs: 5_000 })).ok).toBe(
      true,
    );

    const result = await dryRun(checkout);
    expect(result.code, result.stderr).toBe(0);
    const [action, port, reason] = planRows(result.stdout).controller ?? [];
    expect(action).toBe('start');
    expect(Number(port)).not.toBe(controllerPort);
    expect(reason).toMatch(
      new RegExp(
        `^not installed; port ${controllerPort} is held by pid ${squatter.pid} \\(.+\\), not ours: using ${port} instead$`,
      ),
    );
    expect(isProcessAlive(squatter.pid!)).toBe(true);
    expect(existsSync(checkout.stateDir)).toBe(false);
  });
});
