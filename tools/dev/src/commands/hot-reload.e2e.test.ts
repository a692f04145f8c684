import { waitFor } from '@nexu/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendName } from '../supervisor/supervisor.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { createWatchedCheckouts, type WatchedCheckout } from '../test-support/watched-checkouts.js';

const CONTROLLER_REVISION = 'apps/controller/src/revision.ts';
const GATEWAY_REVISION = 'apps/gateway/src/revision.ts';
const revisionSource = (value: number) => `export const REVISION = ${value};\n`;

/** What the controller's `/api/runtime` answers (the fields these tests read). */
interface Runtime {
  readonly pid: number;
  readonly revision: number;
  readonly gateway: { readonly state: 'connecting' | 'active' | 'unreachable' };
}

async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T } | undefined> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
    return { status: res.status, body: (await res.json()) as T };
  } catch {
    return undefined;
  }
}

const runtimeOf = async (watched: WatchedCheckout) =>
  (await getJson<Runtime>(`http://127.0.0.1:${watched.port('controller')}/api/runtime`))?.body;

const healthOf = async (watched: WatchedCheckout, service: 'gateway' | 'controller' | 'web') =>
  (await getJson<{ pid: number; revision: number }>(`http://127.0.0.1:${watched.port(service)}/health`))
    ?.body;

/** Waits (deadline, not a timing assertion) until the controller serves `revision`; returns its answer and the wait. */
async function waitForControllerRevision(watched: WatchedCheckout, revision: number) {
  const started = performance.now();
  const served = await waitFor(
    async () => {
      const runtime = await runtimeOf(watched);
      return runtime?.revision === revision ? runtime : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 5, maxIntervalMs: 20 },
  );
  if (!served.ok) {
    const seen = watched.lines.map((l) => `  [${l.service}] ${l.line}`).join('\n');
    throw new Error(`controller never served revision ${revision}; session logged:\n${seen}`);
  }
  return { runtime: served.value, ms: Math.round(performance.now() - started) };
}

const reloadLines = (watched: WatchedCheckout) =>
  watched.lines.filter((l) => / reloaded in /.test(l.line)).map((l) => l.line);

const backends: BackendName[] = ['process', 'systemd', 'launchd'];

describe.each(backends)('hot reload on the %s backend', { timeout: 60_000 }, (backend) => {
  const checkouts = createWatchedCheckouts(backend);

  afterEach(async () => {
    expect(await checkouts.closeAll()).toEqual([]);
  });

  async function start(ctx: { skip: () => void }) {
    if (!(await checkouts.available())) ctx.skip();
    return checkouts.start();
  }

  it('serves an edited controller from a new pid, keeps the old one through a broken build, recovers on the fix', async (ctx) => {
    const watched = await start(ctx);
    const before = await runtimeOf(watched);
    expect(before?.revision).toBe(1);

    await watched.write(CONTROLLER_REVISION, revisionSource(2));
    const edited = await waitForControllerRevision(watched, 2);
    expect(edited.runtime.pid).not.toBe(watched.startPid('controller'));
    expect(await watched.pid('gateway')).toBe(watched.startPid('gateway'));
    expect(await watched.pid('web')).toBe(watched.startPid('web'));

    // A syntax error on line 1; saved twice, as an editor would, with nothing fixed in between.
    const broken = 'export const REVISION = 3 +;\n';
    await watched.write(CONTROLLER_REVISION, broken);
    await watched.waitForLine(/^apps\/controller\/src\/revision\.ts:1:\d+: /);
    const eventsAfterFirstSave = watched.session.stats('controller').events;
    await watched.write(CONTROLLER_REVISION, broken);
    await waitFor(() => watched.session.stats('controller').events > eventsAfterFirstSave, {
      timeoutMs: 10_000,
    });
    await watched.session.idle();
    const errorLines = watched.lines.filter((l) => l.line.includes('apps/controller/src/revision.ts:1:'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]?.service).toBe('controller');
    const still = await runtimeOf(watched);
    expect(still).toMatchObject({ pid: edited.runtime.pid, revision: 2 });

    await watched.write(CONTROLLER_REVISION, revisionSource(4));
    const fixed = await waitForControllerRevision(watched, 4);
    expect(fixed.runtime.pid).not.toBe(edited.runtime.pid);
    expect(await watched.pid('gateway')).toBe(watched.startPid('gateway'));
    expect(await watched.pid('web')).toBe(watched.startPid('web'));
    await watched.session.idle();
    console.log(
      `[${backend}] controller edit served after ${edited.ms} ms, fix served after ${fixed.ms} ms;`,
      reloadLines(watched),
    );
  });

  it('restarts only the gateway on a gateway edit; the controller link comes back by itself', async (ctx) => {
    const watched = await start(ctx);
    const controllerUrl = `http://127.0.0.1:${watched.port('controller')}`;
    // Gateway state written through the link before the reload must be readable through it after.
    const linked = await waitFor(
      async () => {
        const put = await getJson(`${controllerUrl}/api/sessions/kept`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ note: 'before the reload' }),
        });
        return put?.status === 200;
      },
      { timeoutMs: 10_000 },
    );
    expect(linked.ok).toBe(true);

    const saved = performance.now();
    await watched.write(GATEWAY_REVISION, revisionSource(2));
    const reloaded = await waitFor(
      async () => {
        const health = await healthOf(watched, 'gateway');
        return health?.revision === 2 ? health : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 5, maxIntervalMs: 20 },
    );
    expect(reloaded.ok && reloaded.value.pid).not.toBe(watched.startPid('gateway'));
    const gatewayMs = Math.round(performance.now() - saved);

    const states = new Set<string>();
    const back = await waitFor(
      async () => {
        const runtime = await runtimeOf(watched);
        if (runtime) states.add(runtime.gateway.state);
        if (runtime?.gateway.state !== 'active') return undefined;
        const session = await getJson<{ data?: unknown }>(`${controllerUrl}/api/sessions/kept`);
        return session?.status === 200 ? session.body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 5, maxIntervalMs: 50 },
    );
    expect(back.ok).toBe(true);
    expect(JSON.stringify(back.ok && back.value)).toContain('before the reload');
    const linkMs = Math.round(performance.now() - saved);

    expect((await runtimeOf(watched))?.pid).toBe(watched.startPid('controller'));
    expect(await watched.pid('web')).toBe(watched.startPid('web'));
    expect(watched.session.stats('controller').builds).toBe(0);
    await watched.session.idle();
    console.log(
      `[${backend}] gateway edit served after ${gatewayMs} ms, controller link active again after ${linkMs} ms (states seen: ${[...states].join(', ')});`,
      reloadLines(watched),
    );
  });

  it('ends a burst of 50 rapid saves on the final content with far fewer rebuilds than saves', async (ctx) => {
    const watched = await start(ctx);
    for (let value = 1; value <= 50; value += 1) {
      await watched.write(CONTROLLER_REVISION, revisionSource(value));
    }
    const final = await waitForControllerRevision(watched, 50);
    await watched.session.idle();
    expect((await runtimeOf(watched))?.revision).toBe(50);
    expect(await watched.pid('controller')).toBe(final.runtime.pid);
    const { events, builds } = watched.session.stats('controller');
    console.log(
      `[${backend}] 50 saves: ${events} watcher events, ${builds} rebuilds, final value served after ${final.ms} ms`,
    );
    expect(builds).toBeGreaterThan(0);
    expect(builds).toBeLessThan(50);
    expect(await watched.pid('gateway')).toBe(watched.startPid('gateway'));
    expect(await watched.pid('web')).toBe(watched.startPid('web'));
  });

  it('recovers from a deleted source file once it is restored, restarting only the controller', async (ctx) => {
    const watched = await start(ctx);
    await watched.remove(CONTROLLER_REVISION);
    await watched.waitForLine(/controller build failed; still serving the last good build/);
    await watched.session.idle();
    expect(await runtimeOf(watched)).toMatchObject({ pid: watched.startPid('controller'), revision: 1 });

    await watched.write(CONTROLLER_REVISION, revisionSource(5));
    const restored = await waitForControllerRevision(watched, 5);
    expect(restored.runtime.pid).not.toBe(watched.startPid('controller'));
    expect(await watched.pid('gateway')).toBe(watched.startPid('gateway'));
    expect(await watched.pid('web')).toBe(watched.startPid('web'));
    expect(watched.session.stats('gateway').builds).toBe(0);
  });

  it('restarts nothing when a file is deleted and restored unchanged at once (an editor’s atomic save)', async (ctx) => {
    const watched = await start(ctx);
    const original = await watched.read(CONTROLLER_REVISION);
    await watched.remove(CONTROLLER_REVISION);
    await watched.write(CONTROLLER_REVISION, original);
    await waitFor(() => watched.session.stats('controller').builds > 0, { timeoutMs: 10_000 });
    await watched.session.idle();
    expect(await runtimeOf(watched)).toMatchObject({ pid: watched.startPid('controller'), revision: 1 });
    for (const service of ['gateway', 'web'] as const) {
      expect(await watched.pid(service)).toBe(watched.startPid(service));
    }
  });

  it('after a dashboard edit and a save that changes no output, both rebuilt by the session, start --dry-run builds nothing', async (ctx) => {
    const watched = await start(ctx);
    const title = await watched.read('apps/web/src/title.ts');
    await watched.write(
      'apps/web/src/title.ts',
      title.replace("'nexu dev dashboard'", "'nexu dev (edited)'"),
    );
    await watched.waitForLine(/web client rebuilt in \d+ ms/);
    // A comment only: the same bundle, so the controller is not restarted and dist/ is not written.
    await watched.write(CONTROLLER_REVISION, `// a note\n${await watched.read(CONTROLLER_REVISION)}`);
    await watched.waitForLine(/controller built in \d+ ms, output unchanged/);
    await watched.session.idle();
    const preview = await spawnCli('start', ['--dry-run', '--backend', backend], {
      cwd: watched.checkout.root,
    }).done;
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('attach');
    expect(preview.stdout).not.toContain('Would build');
  });
});
