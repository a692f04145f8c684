import { resolve } from 'node:path';
import {
  freePort,
  type ServiceProcess,
  startService,
  TempDirs,
  waitUntil,
} from '@nexu/service-kit/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type ControllerServer, createServer } from './create-server.js';

// The real gateway, built by `pnpm build`.
const GATEWAY_ENTRY = resolve(import.meta.dirname, '../../gateway/dist/main.js');
const temp = new TempDirs();
let controller: ControllerServer | undefined;
let gateway: ServiceProcess | undefined;

afterEach(async () => {
  await controller?.close();
  await gateway?.stop();
  controller = undefined;
  gateway = undefined;
  await temp.removeAll();
});

/** Starts an in-process controller; without `gatewayUrl` it points at a port nobody listens on. */
async function start(gatewayUrl?: string): Promise<{ url: string; nexuHome: string }> {
  const nexuHome = await temp.make();
  controller = createServer(
    {
      service: 'controller',
      nexuHome,
      port: 0,
      instance: 'inst',
      gatewayUrl: gatewayUrl ?? `ws://127.0.0.1:${await freePort()}/ws`,
      gatewayToken: null,
    },
    { log: () => {} },
  );
  const result = await controller.listen(0);
  if (!result.ok) throw new Error(result.message);
  return { url: result.url, nexuHome };
}

async function startGateway(): Promise<string> {
  gateway = await startService(GATEWAY_ENTRY, {
    NEXU_HOME: await temp.make(),
    PORT: String(await freePort()),
  });
  return `${gateway.url.replace('http', 'ws')}/ws`;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
type Body = any;
const json = async (url: string, init?: RequestInit): Promise<{ status: number; body: Body }> => {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
};
const put = (body: string): RequestInit => ({
  method: 'PUT',
  body,
  headers: { 'content-type': 'application/json' },
});

describe('controller server', () => {
  it('is ready once its gateway link is up, and then a gateway-backed request gets a real answer', async () => {
    const { url } = await start(await startGateway());
    await waitUntil('the controller is ready', async () => (await json(`${url}/health`)).body.ready === true);
    expect((await json(`${url}/health`)).body.waitingFor).toBeUndefined();
    expect((await json(`${url}/api/sessions/none`)).status).toBe(404);
  });

  it('forwards session reads and writes to the gateway', async () => {
    const { url } = await start(await startGateway());
    await waitUntil(
      'the gateway link to be active',
      async () => (await json(`${url}/api/runtime`)).body.gateway.state === 'active',
    );
    expect(await json(`${url}/api/sessions/s1`, put('{"user":"ann"}'))).toMatchObject({
      status: 200,
      body: { id: 's1' },
    });
    expect(await json(`${url}/api/sessions/s1`)).toMatchObject({
      status: 200,
      body: { id: 's1', data: { user: 'ann' } },
    });
    expect(await json(`${url}/api/sessions/missing`)).toMatchObject({ status: 404 });
  });
});
