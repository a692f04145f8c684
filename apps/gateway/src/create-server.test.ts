import { TempDirs } from '@nexu/service-kit/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from './create-server.js';
import { REVISION } from './revision.js';
import { connectTestClient, openTestClient, type TestClient } from './test-client.js';

const temp = new TempDirs();
let gateway: GatewayServer | undefined;
let client: TestClient | undefined;

afterEach(async () => {
  client?.close();
  await gateway?.close();
  gateway = undefined;
  client = undefined;
  await temp.removeAll();
});

async function start(token: string | null = null): Promise<string> {
  const nexuHome = await temp.make();
  gateway = createServer(
    { service: 'gateway', nexuHome, port: 0, instance: 'test-instance', token },
    { log: () => {} },
  );
  const result = await gateway.listen(0);
  if (!result.ok) throw new Error(result.message);
  return result.url;
}

describe('gateway server', () => {
  it('answers GET /health with its identity', async () => {
    const url = await start();
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toEqual({
      ok: true,
      service: 'gateway',
      pid: process.pid,
      startedAt: expect.any(String),
      instance: 'test-instance',
      revision: REVISION,
      ready: true,
    });
  });

  it('answers unknown paths with 404 JSON', async () => {
    const url = await start();
    const response = await fetch(`${url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toHaveProperty('error');
  });

  it('answers ping and status over the WebSocket', async () => {
    const url = await start();
    client = await openTestClient(`${url.replace('http', 'ws')}/ws`);
    expect(await client.request('ping')).toMatchObject({ ok: true, result: { pong: true } });
    expect(await client.request('status')).toMatchObject({
      ok: true,
      result: { service: 'gateway', sessions: 0, clients: 1, revision: REVISION },
    });
  });

  it('stores, returns and lists sessions', async () => {
    const url = await start();
    client = await openTestClient(`${url.replace('http', 'ws')}/ws`);
    expect(await client.request('session.put', { id: 's1', data: { user: 'ann' } })).toMatchObject({
      ok: true,
    });
    expect(await client.request('session.get', { id: 's1' })).toMatchObject({
      ok: true,
      result: { id: 's1', data: { user: 'ann' }, updatedAt: expect.any(String) },
    });
    expect(await client.request('session.list')).toMatchObject({
      ok: true,
      result: { sessions: [{ id: 's1', updatedAt: expect.any(String) }] },
    });
  });

  it.each([
    ['session.get', { id: 'missing' }, 'not_found'],
    ['session.get', {}, 'invalid_params'],
    ['session.put', { id: 'x' }, 'invalid_params'],
    ['no.such.method', {}, 'unknown_method'],
  ])('answers %s %j with error code %s', async (method, params, code) => {
    const url = await start();
    client = await openTestClient(`${url.replace('http', 'ws')}/ws`);
    expect(await client.request(method, params)).toMatchObject({ ok: false, error: { code } });
  });

  it('refuses WebSocket upgrades from a foreign browser origin', async () => {
    const url = await start();
    const result = await connectTestClient(`${url.replace('http', 'ws')}/ws`, {
      Origin: 'http://evil.example',
    });
    expect(result).toEqual({ ok: false, status: 403 });
  });

  it('refuses WebSocket upgrades on paths other than /ws', async () => {
    const url = await start();
    const result = await connectTestClient(`${url.replace('http', 'ws')}/other`);
    expect(result).toEqual({ ok: false, status: 404 });
  });

  it('closes open WebSocket clients when it shuts down', async () => {
    const url = await start();
    client = await openTestClient(`${url.replace('http', 'ws')}/ws`);
    await gateway?.close();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
