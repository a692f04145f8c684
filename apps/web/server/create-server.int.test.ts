import { spawn } from 'node:child_process';
import { cp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { processStartTimeSync } from '@nexu/service-kit';
import type { DevServiceStatus, DevStatusFile, DevStatusView } from '@nexu/service-kit/dev-status';
import { freePort, type ServiceProcess, TempDirs, waitUntil } from '@nexu/service-kit/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type WebServer } from './create-server.js';
import { ENTRIES, type EventStream, openEventStream, startBackend } from './test-support.js';

const temp = new TempDirs();
const children: ServiceProcess[] = [];
let web: WebServer | undefined;
let stream: EventStream | undefined;

afterEach(async () => {
  stream?.close();
  await web?.close();
  await Promise.all(children.splice(0).map((child) => child.stop()));
  web = undefined;
  stream = undefined;
  await temp.removeAll();
});

/** Starts an in-process web server over a temp copy of the built page. */
async function start(
  controllerUrl?: string,
  devStatusFile: string | null = null,
  reloadHoldMs?: number,
): Promise<{ url: string; clientDir: string; root: string }> {
  const root = await temp.make();
  const clientDir = join(root, 'client');
  await cp(ENTRIES.clientDir, clientDir, { recursive: true });
  web = createServer(
    {
      service: 'web',
      nexuHome: root,
      port: 0,
      instance: null,
      controllerUrl: new URL(controllerUrl ?? `http://127.0.0.1:${await freePort()}`),
      devStatusFile,
    },
    {
      clientDir,
      log: () => {},
      devStatusCheckMs: 100,
      ...(reloadHoldMs === undefined ? {} : { reloadHoldMs }),
    },
  );
  const result = await web.listen(0);
  if (!result.ok) throw new Error(result.message);
  return { url: result.url, clientDir, root };
}

/** A status file as the watch session writes it, naming `watcher` as its session. */
async function statusFile(
  watcherPid: number,
  revision: number,
  controller: Partial<DevServiceStatus> = {},
): Promise<string> {
  const file: DevStatusFile = {
    version: 1,
    watcher: {
      pid: watcherPid,
      startTime: processStartTimeSync(watcherPid) ?? 'gone',
      startedAt: '2026-01-01T00:00:00.000Z',
    },
    updatedAt: new Date().toISOString(),
    backend: 'process',
    services: [
      {
        name: 'controller',
        state: 'running',
        healthy: true,
        pid: 100 + revision,
        port: 18790,
        startedAt: null,
        restarts: 0,
        activity: null,
        lastReload: null,
        buildFailures: [],
        crash: null,
        ...controller,
      },
    ],
  };
  return JSON.stringify(file);
}

const statusEvents = (s: EventStream | undefined) =>
  (s?.messages ?? []).filter((m) => m.event === 'dev-status').map((m) => m.data as DevStatusView);

/** GET with an arbitrary Host header (fetch does not allow setting it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A stand-in controller on `port` that answers every request with its generation; it can go away and come back. */
function fakeController(port: number) {
  let server: Server | undefined;
  let generation = 0;
  const api = {
    bodies: [] as string[],
    async up(): Promise<void> {
      generation += 1;
      const mine = generation;
      server = createHttpServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        req.on('end', () => {
          if (body) api.bodies.push(body);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ generation: mine }));
        });
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async down(): Promise<void> {
      const closing = server;
      server = undefined;
      if (!closing) return;
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
  return api;
}
const controllers: Array<ReturnType<typeof fakeController>> = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.down()));
});

describe('web server', () => {
  it('answers GET /health with its identity', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/health`);
    expect(await response.json()).toMatchObject({
      ok: true,
      service: 'web',
      pid: process.pid,
      instance: null,
    });
  });

  it('serves the built page and its assets', async () => {
    const { url, clientDir } = await start();
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<h1 id="title">');
    const [asset] = (await readdir(join(clientDir, 'assets'))).filter((name) => name.endsWith('.js'));
    const script = await fetch(`${url}/assets/${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });

  it('falls back to index.html for unknown paths that are not files', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/sessions/42/detail`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<h1 id="title">');
  });

  it('answers 404 for missing files and paths escaping the client dir', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/..%2f..%2fpackage.json`)).status).toBe(404);
  });

  it('answers /favicon.ico with 204 no content (no 404 in the browser console on every load)', async () => {
    const { url } = await start();
    const icon = await fetch(`${url}/favicon.ico`);
    expect(icon.status).toBe(204);
    expect(await icon.text()).toBe('');
  });

  it('proxies /api to the real controller, request bodies included', async () => {
    const { controller } = await startBackend(temp, children);
    const { url } = await start(controller.url);
    const runtime = await fetch(`${url}/api/runtime`);
    expect(runtime.status).toBe(200);
    expect(await runtime.json()).toMatchObject({ service: 'controller', pid: controller.pid });
    const put = await fetch(`${url}/api/config`, { method: 'PUT', body: JSON.stringify({ theme: 'dark' }) });
    expect(await put.json()).toEqual({ theme: 'dark' });
    expect(await (await fetch(`${controller.url}/api/config`)).json()).toEqual({ theme: 'dark' });
  });

  it('holds /api requests while the controller reloads: a steady request loop sees no failure', async () => {
    const port = await freePort();
    const controller = fakeController(port);
    controllers.push(controller);
    await controller.up();
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    await writeFile(path, await statusFile(process.pid, 1));
    const { url } = await start(`http://127.0.0.1:${port}`, path);
    await web?.devStatus?.settled();
    let revision = 1;
    const setStatus = async (controllerStatus: Partial<DevServiceStatus>) => {
      revision += 1;
      await writeFile(`${path}.next`, await statusFile(process.pid, revision, controllerStatus));
      await rename(`${path}.next`, path);
      await waitUntil('the web server to read the status', () =>
        web?.devStatus?.current().services.some((s) => s.pid === 100 + revision),
      );
    };

    const failures: string[] = [];
    const generations: number[] = [];
    let loop = true;
    const running = (async () => {
      for (let i = 0; loop; i += 1) {
        const method = i % 2 === 0 ? 'GET' : 'PUT';
        const response = await fetch(`${url}/api/anything`, {
          method,
          ...(method === 'PUT' ? { body: `body ${i}` } : {}),
        });
        const answer = (await response.json()) as { generation?: number; error?: string };
        if (response.status !== 200) failures.push(`${response.status} ${answer.error}`);
        else generations.push(answer.generation ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    for (let reload = 0; reload < 3; reload += 1) {
      const before = generations.length;
      await waitUntil('requests served', () => generations.length > before + 3);
      // As a watch session does: it says so, then stops the old process and starts the new one.
      await setStatus({ activity: 'reloading' });
      await controller.down();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await controller.up();
      await setStatus({ activity: null });
    }
    await waitUntil('the last generation served', () => generations.at(-1) === 4);
    loop = false;
    await running;
    expect(failures).toEqual([]);
    expect(controller.bodies.every((b) => /^body \d+$/.test(b))).toBe(true);
  });

  it('holds a refused /api request until the controller listens again', async () => {
    const port = await freePort();
    const controller = fakeController(port);
    controllers.push(controller);
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    // The session says the controller runs: the status file may lag a restart by a few ms.
    await writeFile(path, await statusFile(process.pid, 1));
    const { url } = await start(`http://127.0.0.1:${port}`, path);
    await web?.devStatus?.settled();
    const answer = fetch(`${url}/api/anything`, { method: 'PUT', body: 'refused first' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await controller.up();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(controller.bodies).toEqual(['refused first']);
  });

  it('sends no /api request to the controller while the watch session says it reloads', async () => {
    const port = await freePort();
    const controller = fakeController(port);
    controllers.push(controller);
    await controller.up();
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    await writeFile(path, await statusFile(process.pid, 1, { activity: 'reloading' }));
    const { url } = await start(`http://127.0.0.1:${port}`, path);
    await web?.devStatus?.settled();
    const answer = fetch(`${url}/api/anything`, { method: 'PUT', body: 'held' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(controller.bodies).toEqual([]);
    await writeFile(`${path}.next`, await statusFile(process.pid, 2));
    await rename(`${path}.next`, path);
    const response = await answer;
    expect(response.status).toBe(200);
    expect(controller.bodies).toEqual(['held']);
  });

  it('answers 503 "controller is reloading" once the hold bound passed', async () => {
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    await writeFile(path, await statusFile(process.pid, 1, { activity: 'reloading' }));
    const { url } = await start(undefined, path, 200);
    await web?.devStatus?.settled();
    const response = await fetch(`${url}/api/runtime`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/controller is reloading/) });
  });

  it('does not hold /api when the watch session says the controller crashed', async () => {
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    await writeFile(path, await statusFile(process.pid, 1, { state: 'crashed', healthy: false }));
    // A bound no test would wait for: a held request would time the test out.
    const { url } = await start(undefined, path, 600_000);
    await web?.devStatus?.settled();
    const response = await fetch(`${url}/api/runtime`);
    expect(response.status).toBe(502);
  });

  it('answers /api with 502 JSON when the controller is down', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/runtime`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/controller unreachable/) });
  });

  it('refuses /api requests from a foreign Origin with 403 and sends no CORS headers', async () => {
    const { controller } = await startBackend(temp, children);
    const { url } = await start(controller.url);
    const foreign = await fetch(`${url}/api/runtime`, { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const own = await fetch(`${url}/api/runtime`, { headers: { origin: url } });
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses /api requests for a foreign Host (DNS rebinding) with 403', async () => {
    const { url } = await start();
    expect(await getWithHost(`${url}/api/runtime`, 'rebound.example')).toBe(403);
  });

  it('sends a reload event when a file under the client dir changes', async () => {
    const { url, clientDir } = await start();
    stream = await openEventStream(`${url}/__nexu/live-reload`);
    await waitUntil('the stream to open', () => stream?.text().includes(': connected'));
    await writeFile(join(clientDir, 'index.html'), '<!doctype html><h1 id="title">changed</h1>');
    await waitUntil('a reload event', () => stream?.events.includes('reload'));
  });

  it('keeps sending reload events after a rebuild replaced the client dir', async () => {
    const { url, clientDir } = await start();
    stream = await openEventStream(`${url}/__nexu/live-reload`);
    await waitUntil('the stream to open', () => stream?.text().includes(': connected'));
    await rm(clientDir, { recursive: true });
    await cp(ENTRIES.clientDir, clientDir, { recursive: true });
    await waitUntil('a reload event for the new dir', () => stream?.events.includes('reload'));
    const seen = stream.events.length;
    await writeFile(join(clientDir, 'extra.txt'), 'new file in the replaced dir');
    await waitUntil('another reload event', () => (stream?.events.length ?? 0) > seen);
  });

  it('ends live-reload streams when it shuts down', async () => {
    const { url } = await start();
    stream = await openEventStream(`${url}/__nexu/live-reload`);
    await waitUntil('a connected page', () => web?.liveReload.size === 1);
    await web?.close();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('refuses the live-reload stream for a foreign Host or Origin (it carries dev status)', async () => {
    const { url } = await start();
    expect(await getWithHost(`${url}/__nexu/live-reload`, 'rebound.example')).toBe(403);
    const foreign = await fetch(`${url}/__nexu/live-reload`, { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('has no dev status and no dev endpoint without a status file', async () => {
    const { url } = await start();
    expect(web?.devStatus).toBeUndefined();
    stream = await openEventStream(`${url}/__nexu/live-reload`);
    await waitUntil('the stream to open', () => stream?.text().includes(': connected'));
    expect(stream.text()).not.toContain('dev-status');
    const other = await fetch(`${url}/__nexu/dev-status`);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain('<h1');
  });

  it('pushes the watch session status to open pages as it changes, and nothing of the watcher', async () => {
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    await writeFile(path, await statusFile(process.pid, 1));
    const { url } = await start(undefined, path);
    await web?.devStatus?.settled();
    stream = await openEventStream(`${url}/__nexu/live-reload`);
    await waitUntil('the first status', () => statusEvents(stream).length > 0);
    expect(statusEvents(stream)[0]).toMatchObject({
      watching: true,
      backend: 'process',
      services: [{ name: 'controller', pid: 101 }],
    });
    expect(JSON.stringify(statusEvents(stream)[0])).not.toContain(String(process.pid));

    await writeFile(`${path}.next`, await statusFile(process.pid, 2));
    await rm(path);
    await cp(`${path}.next`, path);
    await waitUntil('the changed status', () => statusEvents(stream).some((v) => v.services[0]?.pid === 102));
  });

  it('shows not watching once the watch session is gone, and when its file is removed', async () => {
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    const watcher = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await writeFile(path, await statusFile(watcher.pid!, 1));
      const { url } = await start(undefined, path);
      stream = await openEventStream(`${url}/__nexu/live-reload`);
      await waitUntil('a watching status', () => statusEvents(stream).at(-1)?.watching === true);
      watcher.kill('SIGKILL');
      await waitUntil('not watching', () => statusEvents(stream).at(-1)?.watching === false);
      expect(statusEvents(stream).at(-1)).toEqual({
        watching: false,
        backend: null,
        updatedAt: null,
        services: [],
      });

      await writeFile(path, await statusFile(process.pid, 3));
      await waitUntil('watching again', () => statusEvents(stream).at(-1)?.watching === true);
      await rm(path);
      await waitUntil(
        'not watching after the file went',
        () => statusEvents(stream).at(-1)?.watching === false,
      );
    } finally {
      watcher.kill('SIGKILL');
    }
  });

  it('reads a status file naming a reused pid (another start time) as not watching', async () => {
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    const file = JSON.parse(await statusFile(process.pid, 1)) as DevStatusFile;
    await writeFile(
      path,
      JSON.stringify({ ...file, watcher: { ...file.watcher, startTime: 'an earlier process' } }),
    );
    const { url } = await start(undefined, path);
    await web?.devStatus?.settled();
    expect(web?.devStatus?.current().watching).toBe(false);
    stream = await openEventStream(`${url}/__nexu/live-reload`);
    await waitUntil('the first status', () => statusEvents(stream).length > 0);
    expect(statusEvents(stream)[0]?.watching).toBe(false);
  });

  it('reports a status file it refuses and shows not watching', async () => {
    const home = await temp.make();
    const path = join(home, 'dev-status.json');
    await writeFile(path, JSON.stringify({ version: 99 }));
    const root = await temp.make();
    const clientDir = join(root, 'client');
    await cp(ENTRIES.clientDir, clientDir, { recursive: true });
    const lines: string[] = [];
    web = createServer(
      {
        service: 'web',
        nexuHome: root,
        port: 0,
        instance: null,
        controllerUrl: new URL(`http://127.0.0.1:${await freePort()}`),
        devStatusFile: path,
      },
      { clientDir, log: (line) => lines.push(line), devStatusCheckMs: 100 },
    );
    await web.listen(0);
    await web.devStatus?.settled();
    expect(web.devStatus?.current().watching).toBe(false);
    expect(lines).toEqual([`web: dev status file ${path}: refused: version 99 is not 1`]);
  });
});
