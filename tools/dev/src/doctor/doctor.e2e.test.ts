import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { startServices } from '../commands/start.js';
import { createMemoryReporter } from '../format/reporter.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import { createSupervisor } from '../supervisor/select-supervisor.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';
import type { DoctorReport } from './run-doctor.js';

/** Every file under the state folder with its bytes and mtime (logs grow while services run: left out). */
function snapshotFiles(checkout: Checkout): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (!path.startsWith(checkout.logsDir))
        files[path] = `${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`;
    }
  };
  visit(checkout.stateDir);
  return files;
}

/** What "changed nothing" means: the state files, the units with their state and pid, the marked processes. */
async function snapshot(checkout: Checkout, backend: BackendName) {
  const supervisor = createSupervisor(backend, { checkout });
  const units = await supervisor.listInstalled(checkout.id);
  const statuses = await Promise.all(
    units.map(async (unit) => {
      const { state, pid, restarts } = await supervisor.status(unit);
      return { label: unit.label, state, pid, restarts };
    }),
  );
  const processes = (await findMarkedProcesses(checkout.id)).sort((a, b) => a - b);
  return { files: snapshotFiles(checkout), units: statuses, processes };
}

const backends: BackendName[] = ['process', 'systemd'];

describe.each(backends)('pnpm run doctor on the %s backend', { timeout: 60_000 }, (backend) => {
  const checkouts = useBackendCheckouts(backend);
  const doctor = (checkout: Checkout, args: string[] = []) =>
    spawnCli('doctor', args, { cwd: checkout.root, env: { NEXU_DEV_BACKEND: backend } }).done;

  it('changes nothing while the services run: units, state files, processes and ledger are the same after', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    await startServices({ checkout, backend, reporter: createMemoryReporter() });
    const before = await snapshot(checkout, backend);
    expect(before.units).toHaveLength(3);
    expect(before.processes.length).toBeGreaterThanOrEqual(3);
    expect(before.files[checkout.ledgerPath]).toBeDefined();

    const result = await doctor(checkout, ['--json']);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(await snapshot(checkout, backend)).toEqual(before);
    expect(existsSync(checkout.lockPath)).toBe(false);

    expect(report.checkout).toEqual({ id: checkout.id, root: checkout.root });
    for (const check of report.checks) {
      expect(Object.keys(check).sort()).toEqual(['finding', 'fix', 'id', 'status']);
      expect(['ok', 'warn', 'fail']).toContain(check.status);
      if (check.status !== 'ok') expect(check.fix, check.id).toBeTruthy();
    }
    const failed = report.checks.filter((check) => check.status === 'fail');
    expect(result.code).toBe(failed.length > 0 ? 1 : 0);
    for (const name of ['gateway', 'controller', 'web']) {
      expect(report.checks.find((c) => c.id === `services.${name}`)?.finding).toMatch(
        new RegExp(`^${name} runs healthy \\(pid \\d+\\): pnpm start attaches to it$`),
      );
    }
    expect(report.checks.find((c) => c.id === 'backend.choice')?.finding).toBe(
      `pnpm start would use ${backend} (NEXU_DEV_BACKEND=${backend})`,
    );
  });

  it('in a new checkout creates no state at all, and prints one line per check under its group', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    const result = await doctor(checkout);
    expect(result.stderr).toBe('');
    expect(existsSync(checkout.stateDir)).toBe(false);
    const lines = result.stdout.split('\n');
    for (const group of [
      'Node and tools',
      'Backend',
      'This checkout',
      'Ports',
      'Services',
      'The machine',
      'Watching',
    ])
      expect(lines).toContain(group);
    expect(lines).toContain('  ok    gateway does not run (not installed): pnpm start starts it');
    expect(lines.at(-2)).toMatch(/^(All \d+ checks passed\.|\d+ checks: \d+ failed, \d+ warnings?\.)$/);
  });
});

describe('pnpm run doctor flags', () => {
  const checkouts = useBackendCheckouts('process');

  it('--help documents --json; a bad flag exits 2 and checks nothing', async () => {
    const checkout = checkouts.open();
    const help = await spawnCli('doctor', ['--help'], { cwd: checkout.root }).done;
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--json\s+print one JSON object/);
    const bad = await spawnCli('doctor', ['--fix'], { cwd: checkout.root }).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--fix'");
    expect(bad.stdout).toBe('');
  });
});
