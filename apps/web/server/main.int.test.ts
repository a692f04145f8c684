import { existsSync } from 'node:fs';
import {
  freePort,
  type ServiceProcess,
  startService,
  stopServices,
  TempDirs,
  testStartupExits,
  waitUntil,
} from '@nexu/service-kit/test-support';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENTRIES, type EventStream, openEventStream } from './test-support.js';

const temp = new TempDirs();
const children: ServiceProcess[] = [];
let stream: EventStream | undefined;

beforeAll(() => {
  if (!existsSync(ENTRIES.web)) throw new Error(`${ENTRIES.web} is missing: run \`pnpm build\` first`);
});

afterEach(async () => {
  stream?.close();
  stream = undefined;
  await stopServices(children);
  await temp.removeAll();
});

const controllerUrl = 'http://127.0.0.1:1';

describe('web process', () => {
  testStartupExits({
    service: 'web',
    entry: ENTRIES.web,
    badEnv: [
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
    ],
    peerEnv: { NEXU_CONTROLLER_URL: controllerUrl },
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
