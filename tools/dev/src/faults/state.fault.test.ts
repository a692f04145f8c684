import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { resetState } from '../commands/reset-state.js';
import type { StartReport } from '../commands/start.js';
import { collectStatus } from '../commands/status.js';
import { stopServices } from '../commands/stop.js';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import { type Ledger, readLedger } from '../ports/ledger.js';
import { serviceLogPath } from '../services/service-log-path.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { FAULT_BACKENDS, servicePids, useFaultContext } from './fault-harness.js';

const urlOf = (report: StartReport, name: string) => report.services.find((s) => s.name === name)!.url;

/** A JSON request to a service; resolves with status and parsed body. */
async function call(url: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Stores a session through the controller once its gateway link is up. */
async function putSession(controllerUrl: string, id: string, data: unknown) {
  const stored = await waitFor(
    async () =>
      (await call(`${controllerUrl}/api/sessions/${id}`, { method: 'PUT', body: data })).status === 200,
    { timeoutMs: 15_000 },
  );
  expect(stored.ok).toBe(true);
}

/**
 * The status of reading a session through the controller once its gateway link is up: start
 * returns once every service answers /health, and the controller's link may come up a moment later
 * (it answers 503 until then).
 */
async function sessionStatus(controllerUrl: string, id: string) {
  const answered = await waitFor(
    async () => {
      const { status } = await call(`${controllerUrl}/api/sessions/${id}`);
      return status === 503 ? undefined : status;
    },
    { timeoutMs: 15_000 },
  );
  expect(answered.ok).toBe(true);
  return (answered as { value: number }).value;
}

describe.each(FAULT_BACKENDS)('state and input faults on the %s backend', (backend) => {
  const outside: string[] = [];
  // Registered first so that it runs last, after the checkouts were stopped and removed.
  afterEach(() => {
    for (const dir of outside.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const ctx = useFaultContext(backend);

  /** A folder outside every checkout holding a file that must survive. */
  function makeOutside(): string {
    const dir = mkdtempSync(join(tmpdir(), 'nexu-fault-outside-'));
    outside.push(dir);
    writeFileSync(join(dir, 'precious.txt'), 'keep me\n');
    return dir;
  }

  // Each bad ledger names the foreign sentinel as our gateway (its real pid, start time and port):
  // trusting it would make start or stop signal a process that is not ours.
  const ledgerCases: Array<[string, (valid: Ledger) => string, RegExp]> = [
    ['truncated', (valid) => JSON.stringify(valid).slice(0, 60), /not valid JSON/],
    ['not JSON', () => 'runtime ledger? no: <html>', /not valid JSON/],
    [
      'of the wrong schema',
      (valid) =>
        JSON.stringify({ ...valid, services: { gateway: { ...valid.services.gateway, port: 'eighty' } } }),
      /port "eighty" is not a TCP port/,
    ],
    [
      "another checkout's",
      (valid) => JSON.stringify({ ...valid, checkoutId: 'deadbeef' }),
      /belongs to checkout deadbeef/,
    ],
    [
      'from a future version',
      (valid) => JSON.stringify({ ...valid, version: 2 }),
      /newer nexu dev \(version 2\)/,
    ],
  ];

  it.for(ledgerCases)(
    'a ledger %s is reported, ignored, and start and stop succeed',
    async ([, corrupt, reason], t) => {
      if (!ctx.available()) t.skip();
      const checkout = ctx.open();
      const sentinel = ctx.sentinel();
      const now = new Date().toISOString();
      const lying: Ledger = {
        version: 1,
        checkoutId: checkout.id,
        backend,
        updatedAt: now,
        services: {
          gateway: {
            label: `io.nexu.gateway.${checkout.id}.dev`,
            port: sentinel.port!,
            pid: sentinel.pid,
            startTime: sentinel.startTime,
            since: now,
            mode: 'started',
          },
        },
      };
      mkdirSync(checkout.stateDir, { recursive: true });
      writeFileSync(checkout.ledgerPath, corrupt(lying));

      const reporter = createMemoryReporter();
      const report = await ctx.start(checkout, { reporter });
      expect(reporter.lines.join('\n')).toMatch(/ignoring \.tmp\/dev\/runtime\.json: /);
      expect(reporter.lines.join('\n')).toMatch(reason);
      expect(report.services.find((s) => s.name === 'gateway')!.port).not.toBe(sentinel.port);
      for (const s of report.services) expect((await probeHealth(s.port)).ok).toBe(true);
      // The bad ledger was replaced by a good one.
      const after = await readLedger(checkout);
      expect(after.problem).toBeUndefined();
      expect(Object.keys(after.ledger?.services ?? {}).sort()).toEqual(['controller', 'gateway', 'web']);

      writeFileSync(checkout.ledgerPath, corrupt(lying));
      await stopServices({ checkout, reporter: createMemoryReporter() });
      expect(await servicePids(checkout.id)).toEqual({ gateway: [], controller: [], web: [] });
    },
  );

  it('a corrupt gateway state file is moved aside; the gateway starts and says so in its log', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const first = await ctx.start(checkout);
    await putSession(urlOf(first, 'controller'), 'before', { n: 1 });
    await stopServices({ checkout, reporter: createMemoryReporter() });

    const stateDir = join(checkout.nexuHome, 'gateway');
    const garbage = '{"version":1,"sessions":{"before":';
    writeFileSync(join(stateDir, 'state.json'), garbage);
    const second = await ctx.start(checkout);
    expect((await probeHealth(second.services.find((s) => s.name === 'gateway')!.port)).ok).toBe(true);

    const aside = readdirSync(stateDir).filter((name) => name.startsWith('state.json.corrupt'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(stateDir, aside[0]!), 'utf8')).toBe(garbage);
    expect(readFileSync(serviceLogPath(checkout, 'gateway'), 'utf8')).toMatch(
      /state\.json is corrupt[^\n]*moved it to/,
    );
    // Empty state, and writable again.
    expect(await sessionStatus(urlOf(second, 'controller'), 'before')).toBe(404);
    await putSession(urlOf(second, 'controller'), 'after', { n: 2 });
  });

  it('config and sessions survive a restart and a stop/start; only reset-state removes them', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    let report = await ctx.start(checkout);
    const controller = () => urlOf(report, 'controller');
    expect(
      (await call(`${controller()}/api/config`, { method: 'PUT', body: { theme: 'dark' } })).status,
    ).toBe(200);
    await putSession(controller(), 's1', { step: 1 });

    const expectState = async () => {
      expect((await call(`${controller()}/api/config`)).body).toEqual({ theme: 'dark' });
      const session = await waitFor(
        async () => {
          const got = await call(`${controller()}/api/sessions/s1`);
          return got.status === 200 ? got.body : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(session.ok && session.value.data).toEqual({ step: 1 });
    };

    // The hot reload path: the supervisor restarts both services in place.
    const supervisor = await ctx.supervisor(checkout);
    const { report: status } = await collectStatus({ checkout, backend });
    for (const row of status.services.filter((s) => s.name !== 'web')) {
      await supervisor.restart({
        label: row.label,
        service: row.name,
        checkoutId: checkout.id,
        port: row.port,
      });
    }
    await waitFor(async () => (await probeHealth(report.services[1]!.port)).ok, { timeoutMs: 15_000 });
    await expectState();

    await stopServices({ checkout, reporter: createMemoryReporter() });
    report = await ctx.start(checkout);
    await expectState();

    const reset = await resetState({
      checkout,
      stop: () => stopServices({ checkout, reporter: createMemoryReporter() }),
      yes: true,
      isTTY: false,
      confirm: async () => false,
      out: () => {},
    });
    expect(reset.ok).toBe(true);
    report = await ctx.start(checkout);
    expect((await call(`${controller()}/api/config`)).body).toEqual({});
    expect(await sessionStatus(controller(), 's1')).toBe(404);
  });

  it('a checkout path with spaces, quotes, %, $ and non-ASCII works end to end', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open(`it's a "nexu" 100% ünïcødé $HOME dir`);
    const report = await ctx.start(checkout);
    for (const s of report.services) {
      const health = await probeHealth(s.port);
      expect(health.ok && health.answer.instance).toBe(checkout.id);
    }
    // The exact path reached the service through the unit's environment.
    const runtime = await call(`${urlOf(report, 'controller')}/api/runtime`);
    expect(runtime.body.nexuHome).toBe(checkout.nexuHome);
    expect(readFileSync(serviceLogPath(checkout, 'gateway'), 'utf8')).toMatch(/gateway listening on/);

    const status = await spawnCli('status', ['--json'], { cwd: checkout.root }).done;
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as {
      checkout: { root: string };
      services: Array<{ state: string }>;
    };
    expect(json.checkout.root).toBe(checkout.root);
    expect(json.services.map((s) => s.state)).toEqual(['running', 'running', 'running']);

    const warm = await ctx.start(checkout);
    expect(warm.services.every((s) => s.mode === 'attached')).toBe(true);
    const stop = await spawnCli('stop', [], { cwd: checkout.root }).done;
    expect(stop.code).toBe(0);
    expect(await servicePids(checkout.id)).toEqual({ gateway: [], controller: [], web: [] });
  });

  it('invalid flags and values exit 2 with a clear message and change nothing', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);
    const ledgerBefore = readFileSync(checkout.ledgerPath, 'utf8');
    const cases: Array<[string, string[], RegExp, NodeJS.ProcessEnv?]> = [
      [
        'start',
        ['--backend', 'nope'],
        /--backend "nope" is not a backend: use one of launchd, systemd, process/,
      ],
      ['start', ['--no-watch'], /NEXU_DEV_BACKEND "nope" is not a backend/, { NEXU_DEV_BACKEND: 'nope' }],
      ['start', ['--frobnicate'], /Unknown option '--frobnicate'/],
      ['logs', ['--lines', '-3'], /--lines needs a whole number >= 0, got "-3"/],
      ['logs', ['--lines', 'many'], /--lines needs a whole number >= 0, got "many"/],
      ['logs', ['--lines', '0x10'], /--lines needs a whole number >= 0, got "0x10"/],
      ['logs', ['--lines', '1e3'], /--lines needs a whole number >= 0, got "1e3"/],
      ['logs', ['--lines', ' 3'], /--lines needs a whole number >= 0, got " 3"/],
      ['status', ['--no-json'], /Unknown option '--no-json'/],
      ['status', [], /NEXU_DEV_BACKEND "nope" is not a backend/, { NEXU_DEV_BACKEND: 'nope' }],
      ['stop', [], /NEXU_DEV_BACKEND "nope" is not a backend/, { NEXU_DEV_BACKEND: 'nope' }],
      ['logs', ['--no-follow'], /NEXU_DEV_BACKEND "nope" is not a backend/, { NEXU_DEV_BACKEND: 'nope' }],
      ['reset-state', ['--yes'], /NEXU_DEV_BACKEND "nope" is not a backend/, { NEXU_DEV_BACKEND: 'nope' }],
      [
        'logs',
        ['--service', 'nope', '--no-follow'],
        /Unknown service "nope": valid services are gateway, controller, web/,
      ],
      ['status', ['--backend', 'nope'], /--backend "nope" is not a backend/],
      ['stop', ['--force'], /Unknown option '--force'/],
      ['reset-state', ['--yes', 'now'], /Unexpected argument 'now'/],
      ['restart', ['nope'], /Unknown service "nope": valid services are gateway, controller, web/],
      ['restart', ['controller', '--now'], /Unknown option '--now'/],
      ['start', ['gatway', '--no-watch'], /Unknown service "gatway"/],
      ['start', ['--detach', '--no-watch'], /--detach and --no-watch cannot be combined/],
      ['start', ['--json'], /--json needs --detach or --no-watch/],
      ['start', ['--dry-run', '--detach'], /--dry-run changes nothing/],
      ['stop', ['web', '--all'], /service names apply to this checkout only/],
      ['stop', ['nope'], /Unknown service "nope"/],
      ['status', ['nope'], /Unknown service "nope"/],
      [
        'logs',
        ['nope', '--no-follow'],
        /Unknown service "nope": valid services are gateway, controller, web, watch/,
      ],
      ['logs', ['--grep', '(', '--no-follow'], /--grep "\(" is not a regular expression/],
      ['logs', ['--grep', '', '--no-follow'], /--grep needs a pattern/],
      ['logs', ['-i', '--no-follow'], /-i\/--ignore-case applies to --grep/],
      ['logs', ['--since', 'lately', '--no-follow'], /--since needs a duration \(90s, 5m, 2h, 1d\)/],
    ];
    const results = await Promise.all(
      cases.map(
        ([command, args, , env]) =>
          spawnCli(command, args, { cwd: checkout.root, ...(env ? { env } : {}) }).done,
      ),
    );
    cases.forEach(([command, args, message], i) => {
      const result = results[i]!;
      expect({ command, args, code: result.code }).toEqual({ command, args, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/--help/);
    });
    expect(readFileSync(checkout.ledgerPath, 'utf8')).toBe(ledgerBefore);
    const running = await servicePids(checkout.id);
    for (const s of report.services) expect(running[s.name]).toEqual([s.pid]);
  });

  it('reset-state refuses when .tmp/dev is a symlink outside the checkout; the target is intact', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const target = makeOutside();
    mkdirSync(checkout.tmpDir);
    symlinkSync(target, checkout.stateDir);
    const result = await spawnCli('reset-state', ['--yes'], {
      cwd: checkout.root,
      env: { NEXU_DEV_BACKEND: backend },
    }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Refusing to delete .*: it is a symlink to/);
    expect(readFileSync(join(target, 'precious.txt'), 'utf8')).toBe('keep me\n');
    expect(existsSync(checkout.stateDir)).toBe(true);
  });

  it('reset-state refuses when nexu-home is a symlink outside the checkout; target and services intact', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const target = makeOutside();
    mkdirSync(checkout.stateDir, { recursive: true });
    symlinkSync(target, checkout.nexuHome);
    const report = await ctx.start(checkout);
    const result = await spawnCli('reset-state', ['--yes'], {
      cwd: checkout.root,
      env: { NEXU_DEV_BACKEND: backend },
    }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Refusing to delete .*nexu-home is a symlink to/);
    expect(readFileSync(join(target, 'precious.txt'), 'utf8')).toBe('keep me\n');
    expect(existsSync(join(target, 'logs', 'gateway.log'))).toBe(true);
    // Refused before stopping anything.
    const running = await servicePids(checkout.id);
    for (const s of report.services) expect(running[s.name]).toEqual([s.pid]);

    // Even with the link dangling (its target deleted), `pnpm stop` still stops everything.
    rmSync(target, { recursive: true, force: true });
    const stop = await spawnCli('stop', [], { cwd: checkout.root }).done;
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(0);
    expect(await servicePids(checkout.id)).toEqual({ gateway: [], controller: [], web: [] });
  });
});
