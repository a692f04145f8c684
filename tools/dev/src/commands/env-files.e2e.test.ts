import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';
import { createWatchedCheckouts } from '../test-support/watched-checkouts.js';
import { startServices } from './start.js';

const backends: BackendName[] = ['process', 'systemd', 'launchd'];
const SECRET = 'envfile-secret-7c1f9a';
const NEWER = 'envfile-secret-second-88d2';

/** The environment the process `pid` was started with (Linux). */
const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
/** Every command line on the machine, as `ps` shows them. */
const everyCommandLine = () => execFileSync('ps', ['-eww', '-o', 'args='], { encoding: 'utf8' });

describe.each(backends)('.env files on the %s backend', { timeout: 120_000 }, (backend) => {
  const checkouts = useBackendCheckouts(backend);

  it('a .env.local value reaches the service, never ps or our output; a manifest variable wins and is reported; the next start replaces only that service', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    writeFileSync(join(checkout.root, '.env'), 'PORT=1\nNEXU_TEST_SHARED=from-root\n');
    writeFileSync(join(checkout.root, 'apps/controller/.env.local'), `NEXU_TEST_SECRET=${SECRET}\n`);

    const started = await spawnCli('start', ['--no-watch', '--json', '--backend', backend], {
      cwd: checkout.root,
    }).done;
    expect(started.code).toBe(0);
    expect(started.stderr).toContain(
      ".env sets PORT, which nexu dev sets for gateway, controller, web itself: ignored (the unit's value wins)",
    );
    const services = (
      JSON.parse(started.stdout) as { services: Array<{ name: string; pid: number; url: string }> }
    ).services;
    const pidOf = (name: string) => services.find((s) => s.name === name)!.pid;
    const controllerEnv = environOf(pidOf('controller'));
    expect(controllerEnv).toContain(`NEXU_TEST_SECRET=${SECRET}`);
    expect(controllerEnv).toContain('NEXU_TEST_SHARED=from-root');
    expect(environOf(pidOf('gateway'))).toContain('NEXU_TEST_SHARED=from-root');
    expect(environOf(pidOf('gateway')).some((v) => v.startsWith('NEXU_TEST_SECRET='))).toBe(false);
    expect(controllerEnv.find((v) => v.startsWith('PORT='))).not.toBe('PORT=1');
    expect(everyCommandLine()).not.toContain(SECRET);

    // Unit files holding the value are readable by their owner only.
    const holding = readdirSync(checkout.unitsDir)
      .map((name) => join(checkout.unitsDir, name))
      .filter((path) => statSync(path).isFile() && readFileSync(path, 'utf8').includes(SECRET));
    expect(holding.length).toBeGreaterThan(0);
    for (const path of holding)
      expect([path, (statSync(path).mode & 0o777).toString(8)]).toEqual([path, '600']);

    writeFileSync(join(checkout.root, 'apps/controller/.env.local'), `NEXU_TEST_SECRET=${NEWER}\n`);
    const preview = await spawnCli('start', ['--dry-run', '--backend', backend], { cwd: checkout.root }).done;
    expect(preview.stdout).toMatch(
      /controller\s+replace\s+\d+\s+unit changed: env\.NEXU_TEST_SECRET \(apps\/controller\/\.env\.local\)/,
    );
    expect(preview.stdout).toMatch(/gateway\s+attach/);
    const status = await spawnCli('status', [], { cwd: checkout.root }).done;

    const reporter = createMemoryReporter();
    const again = await startServices({ checkout, backend, reporter });
    expect(Object.fromEntries(again.services.map((s) => [s.name, s.mode]))).toEqual({
      gateway: 'attached',
      controller: 'started',
      web: 'attached',
    });
    expect(reporter.lines.join('\n')).toContain('apps/controller/.env.local');
    const controller = again.services.find((s) => s.name === 'controller')!;
    expect(environOf(controller.pid)).toContain(`NEXU_TEST_SECRET=${NEWER}`);

    const ours = [
      started.stdout,
      started.stderr,
      preview.stdout,
      preview.stderr,
      status.stdout,
      status.stderr,
      ...reporter.lines,
    ].join('\n');
    for (const value of [SECRET, NEWER, 'from-root']) expect(ours).not.toContain(value);
    const logs = readdirSync(checkout.logsDir).map((name) =>
      readFileSync(join(checkout.logsDir, name), 'utf8'),
    );
    for (const text of logs) expect(text).not.toContain(SECRET);
  });

  it('a bad line is an error naming the file and line, and nothing starts', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    writeFileSync(join(checkout.root, 'apps/web/.env'), `GOOD=1\nthis line is wrong ${SECRET}\n`);
    const result = await spawnCli('start', ['--no-watch', '--backend', backend], { cwd: checkout.root }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/apps\/web\/\.env:2: not NAME=value, a # comment or a blank line/);
    expect(result.stderr + result.stdout).not.toContain(SECRET);
    expect(existsSync(checkout.stateDir)).toBe(false);
  });
});

describe.each(backends)('a watched .env change on the %s backend', { timeout: 120_000 }, (backend) => {
  const checkouts = createWatchedCheckouts(backend);

  afterEach(async () => {
    expect(await checkouts.closeAll()).toEqual([]);
  });

  it('replaces only the service whose .env.local changed, with one line naming the file', async (ctx) => {
    if (!(await checkouts.available())) ctx.skip();
    const watched = await checkouts.start();
    const before = {
      gateway: watched.startPid('gateway'),
      controller: watched.startPid('controller'),
      web: watched.startPid('web'),
    };
    await watched.write('apps/controller/.env.local', `NEXU_TEST_SECRET=${SECRET}\n`);
    const line = await watched.waitForLine(/\.env\.local changed/, 45_000);
    expect(line).toMatch(
      /^apps\/controller\/\.env\.local changed: controller replaced in [\d.]+ m?s \(env\.NEXU_TEST_SECRET\)$/,
    );
    const replaced = await waitFor(
      async () => {
        const health = await probeHealth(watched.port('controller'));
        return health.ok && health.answer.pid !== before.controller ? health.answer.pid : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(replaced.ok).toBe(true);
    expect(environOf(replaced.ok ? replaced.value : 0)).toContain(`NEXU_TEST_SECRET=${SECRET}`);
    expect(await watched.pid('gateway')).toBe(before.gateway);
    expect(await watched.pid('web')).toBe(before.web);
    expect(watched.lines.filter((l) => /changed: /.test(l.line))).toHaveLength(1);
    expect(watched.lines.map((l) => l.line).join('\n')).not.toContain(SECRET);
  });
});
