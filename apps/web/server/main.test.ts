import { existsSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import {
  freePort,
  isPidAlive,
  ServiceProcess,
  startService,
  TempDirs,
  waitUntil,
} from '@nexu/service-kit/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENTRIES, type EventStream, openEventStream } from './test-support.js';

const temp = new TempDirs();
const children: ServiceProcess[] = [];
let blocker: Server | undefined;
let stream: EventStream | undefined;

beforeAll(() => {
  if (!existsSync(ENTRIES.web)) throw new Error(`${ENTRIES.web} is missing: run \`pnpm build\` first`);
});

afterEach(async () => {
  stream?.close();
  stream = undefined;
  const stopped = children.splice(0);
  await Promise.all(stopped.map((child) => child.stop()));
  for (const child of stopped) expect(isPidAlive(child.pid)).toBe(false);
  await new Promise<void>((done) => (blocker ? blocker.close(() => done()) : done()));
  blocker = undefined;
  await temp.removeAll();
});

const controllerUrl = 'http://127.0.0.1:1';

describe('web process', () => {
  it.each([
    [
      'NEXU_HOME is missing',
      { PORT: '18791', NEXU_CONTROLLER_URL: controllerUrl },
      'web: NEXU_HOME is not set',
    ],
    [
      'PORT is not a number',
      { NEXU_HOME: '/tmp', PORT: 'abc' },
      'web: PORT must be an integer 1-65535, got "abc"',
    ],
    [
      'PORT is out of range',
      { NEXU_HOME: '/tmp', PORT: '70000' },
      'web: PORT must be an integer 1-65535, got "70000"',
    ],
    [
      'NEXU_CONTROLLER_URL is missing',
      { NEXU_HOME: '/tmp', PORT: '18791' },
      'web: NEXU_CONTROLLER_URL is not set',
    ],
  ])('exits 78 with one line when %s', async (_, env, line) => {
    const child = new ServiceProcess(ENTRIES.web, env);
    children.push(child);
    expect(await child.waitForExit()).toEqual({ code: 78, signal: null });
    expect(child.stderr.trim().split('\n')).toHaveLength(1);
    expect(child.stderr).toContain(line);
  });

  it('exits 78 naming the port when the port is already in use', async () => {
    const port = await freePort();
    blocker = createNetServer();
    await new Promise<void>((done) => blocker?.listen(port, '127.0.0.1', done));
    const child = new ServiceProcess(ENTRIES.web, {
      NEXU_HOME: await temp.make(),
      PORT: String(port),
      NEXU_CONTROLLER_URL: controllerUrl,
    });
    children.push(child);
    expect(await child.waitForExit()).toEqual({ code: 78, signal: null });
    expect(child.stderr.trim()).toBe(`web: port ${port} is already in use (EADDRINUSE)`);
  });

  it('serves its built page from dist/client and exits 0 on SIGTERM with a live-reload stream open', async () => {
    const web = await startService(ENTRIES.web, {
      NEXU_HOME: await temp.make(),
      PORT: String(await freePort()),
      NEXU_CONTROLLER_URL: controllerUrl,
      NEXU_DEV_INSTANCE: 'ab12',
    });
    children.push(web);
    expect(await (await fetch(`${web.url}/health`)).json()).toMatchObject({
      service: 'web',
      pid: web.pid,
      instance: 'ab12',
    });
    expect(await (await fetch(`${web.url}/`)).text()).toContain('<h1 id="title">');
    stream = await openEventStream(`${web.url}/__nexu/live-reload`);
    await waitUntil('the stream to open', () => stream?.text().includes(': connected'));
    web.child.kill('SIGTERM');
    expect(await web.waitForExit(5000)).toEqual({ code: 0, signal: null });
  });
});
