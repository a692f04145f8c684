import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@nexu/service-kit';
import getPort from 'get-port';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCheckout } from '../checkout/checkout.js';
import { isProcessAlive } from '../os/process-identity.js';
import { startWatchSession, type WatchSession } from './watch-session.js';

const buildServiceBin = join(resolveCheckout().root, 'tools/dev/bin/build-service.mjs');

const livePids = (pids: number[]) => pids.filter((pid) => isProcessAlive(pid));

describe('startWatchSession', () => {
  let root: string;
  let port: number;
  let child: ChildProcess | undefined;
  let session: WatchSession | undefined;
  const pids: number[] = [];
  const svc = (file: string) => join(root, 'svc', file);
  const setValue = (source: string) => writeFile(svc('src/value.ts'), source);

  const stop = async () => {
    const old = child;
    child = undefined;
    if (!old || old.exitCode !== null || old.signalCode !== null) return;
    const exited = new Promise((resolve) => old.once('exit', resolve));
    process.kill(-old.pid!, 'SIGTERM');
    await exited;
  };
  const launch = () => {
    child = spawn(process.execPath, ['dist/main.js'], {
      cwd: svc(''),
      env: { ...process.env, PORT: String(port) },
      stdio: 'ignore',
      detached: true,
    });
    pids.push(child.pid!);
  };
  const served = async () => {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/`)).text();
    } catch {
      return undefined;
    }
  };
  const waitHealthy = async () => {
    const result = await waitFor(served, { timeoutMs: 10_000 });
    if (!result.ok) throw new Error(`not healthy on ${port}: ${result.reason}`);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-watch-session-'));
    port = await getPort();
    await mkdir(svc('src'), { recursive: true });
    await writeFile(svc('package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(
      svc('src/main.ts'),
      [
        "import { createServer } from 'node:http';",
        "import { value } from './value.js';",
        "createServer((_req, res) => res.end(value)).listen(Number(process.env.PORT), '127.0.0.1');",
      ].join('\n'),
    );
    await setValue("export const value: string = 'one';\n");
    // The initial build is `pnpm build`'s: the shared options run by plain node.
    await promisify(execFile)(process.execPath, [buildServiceBin], { cwd: svc('') });
    launch();
    await waitHealthy();
  });

  afterEach(async () => {
    await session?.close();
    session = undefined;
    await stop();
    expect(livePids(pids)).toEqual([]);
    pids.length = 0;
    await rm(root, { recursive: true, force: true });
  });

  it('reloads on an edit, keeps the old process through a broken build and recovers', async () => {
    const lines: string[] = [];
    session = await startWatchSession({
      checkout: { root, stateDir: join(root, '.tmp/dev') },
      services: [{ name: 'controller', dir: 'svc', watchPaths: ['svc/src', 'svc/package.json'] }],
      typecheck: false,
      restartService: async () => {
        await stop();
        launch();
        await waitHealthy();
        return 'restarted' as const;
      },
      log: (service, line) => lines.push(`${service}: ${line}`),
    });
    expect(await served()).toBe('one');
    const firstPid = child!.pid;

    await setValue("export const value: string = 'two';\n");
    expect((await waitFor(async () => (await served()) === 'two', { timeoutMs: 15_000 })).ok).toBe(true);
    expect(child!.pid).not.toBe(firstPid);
    await session.idle();
    // One reload line; a late duplicate event may add a rebuild that finds the output unchanged.
    const reloads = lines.filter((l) => l.includes('reloaded in'));
    expect(reloads).toHaveLength(1);
    expect(reloads[0]).toMatch(
      /^controller: controller reloaded in \d+ ms \(build \d+ ms, restart \d+ ms\)$/,
    );
    expect(lines.slice(lines.indexOf(reloads[0]!) + 1).every((l) => l.includes('output unchanged'))).toBe(
      true,
    );

    const secondPid = child!.pid;
    await setValue("export const value: string = 'three' +;\n");
    const isError = (l: string) => l.startsWith('controller: svc/src/value.ts:1:');
    expect((await waitFor(() => lines.some(isError), { timeoutMs: 15_000 })).ok).toBe(true);
    await session.idle();
    expect(await served()).toBe('two');
    expect(child!.pid).toBe(secondPid);
    expect(lines.filter(isError)).toHaveLength(1);
    expect(lines.filter((l) => l.includes('build failed'))).toHaveLength(1);

    await setValue("export const value: string = 'four';\n");
    expect((await waitFor(async () => (await served()) === 'four', { timeoutMs: 15_000 })).ok).toBe(true);
    expect(child!.pid).not.toBe(secondPid);

    const { events, builds } = session.stats('controller');
    expect(builds).toBeGreaterThanOrEqual(3);
    expect(builds).toBeLessThanOrEqual(events);
    const closing = session.close();
    expect(session.close()).toBe(closing);
  });
});

describe('startWatchSession with a web service', () => {
  let root: string;
  let session: WatchSession | undefined;

  afterEach(async () => {
    await session?.close();
    session = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('loads Vite only once a client file changes; rebuilds the bundle on a src change without restarting the server', async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-watch-session-web-'));
    await mkdir(join(root, 'web/src'), { recursive: true });
    await mkdir(join(root, 'web/server'), { recursive: true });
    await writeFile(
      join(root, 'web/index.html'),
      '<!doctype html><script type="module" src="/src/main.ts"></script>\n',
    );
    await writeFile(join(root, 'web/src/main.ts'), "document.title = 'before';\n");
    await writeFile(join(root, 'web/server/main.ts'), "console.log('server');\n");
    const restarts: string[] = [];
    const lines: string[] = [];
    session = await startWatchSession({
      checkout: { root, stateDir: join(root, '.tmp/dev') },
      services: [{ name: 'web', dir: 'web', watchPaths: ['web/src', 'web/server', 'web/index.html'] }],
      typecheck: false,
      viteFrom: join(resolveCheckout().root, 'apps/web'),
      restartService: async (name) => {
        restarts.push(name);
        return 'restarted' as const;
      },
      log: (_service, line) => lines.push(line),
    });
    // The server's esbuild context is warmed up at once; Vite waits for a client change.
    expect((await waitFor(() => session?.loadedBuilders().includes('web server'))).ok).toBe(true);
    expect(session.loadedBuilders()).toEqual(['web server']);

    await writeFile(join(root, 'web/server/main.ts'), "console.log('server 2');\n");
    expect((await waitFor(() => restarts.length > 0, { timeoutMs: 15_000 })).ok).toBe(true);
    await session.idle();
    expect(restarts).toEqual(['web']);
    expect(session.loadedBuilders()).toEqual(['web server']);

    await writeFile(join(root, 'web/src/main.ts'), "document.title = 'after';\n");
    const rebuilt = await waitFor(() => lines.some((l) => /^web client rebuilt in \d+ ms/.test(l)), {
      timeoutMs: 15_000,
    });
    expect(rebuilt.ok).toBe(true);
    await session.idle();
    expect(session.loadedBuilders()).toEqual(['web server', 'web client']);
    expect(restarts).toEqual(['web']);
    expect(lines.filter((l) => l.startsWith('web client rebuilt'))).toEqual([
      expect.stringMatching(
        /^web client rebuilt in \d+ ms \(loaded Vite first; \d+ files changed, open pages reload\)$/,
      ),
    ]);
    expect(await readFile(join(root, 'web/dist/client/index.html'), 'utf8')).toContain('<script');
  });
});
