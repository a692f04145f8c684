import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, put, useControllerHarness } from './controller-test-harness.js';
import { REVISION } from './revision.js';

const { start } = useControllerHarness();

describe('controller server', () => {
  it('answers GET /health with its identity, not ready while its gateway link is down', async () => {
    const { url } = await start();
    expect(await json(`${url}/health`)).toEqual({
      status: 200,
      body: {
        ok: true,
        service: 'controller',
        pid: process.pid,
        startedAt: expect.any(String),
        instance: 'inst',
        revision: REVISION,
        ready: false,
        waitingFor: expect.stringMatching(/^gateway link (connecting|unreachable)$/),
      },
    });
  });

  it('describes itself in GET /api/runtime', async () => {
    const { url, nexuHome } = await start();
    const { status, body } = await json(`${url}/api/runtime`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      service: 'controller',
      nexuHome,
      port: Number(new URL(url).port),
      pid: process.pid,
      instance: 'inst',
      revision: REVISION,
      buildId: expect.stringMatching(/^[0-9a-f]{12}$/),
      gateway: {
        url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/),
        state: expect.stringMatching(/connecting|unreachable/),
      },
      config: {},
    });
  });

  it('merges PUT /api/config into a 0600 file under NEXU_HOME', async () => {
    const { url, nexuHome } = await start();
    expect(await json(`${url}/api/config`, put('{"a":1,"b":{"c":2}}'))).toEqual({
      status: 200,
      body: { a: 1, b: { c: 2 } },
    });
    expect(await json(`${url}/api/config`, put('{"a":3}'))).toEqual({
      status: 200,
      body: { a: 3, b: { c: 2 } },
    });
    expect(await json(`${url}/api/config`)).toEqual({ status: 200, body: { a: 3, b: { c: 2 } } });
    const path = join(nexuHome, 'controller', 'config.json');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: 3, b: { c: 2 } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await json(`${url}/api/runtime`)).body.config).toEqual({ a: 3, b: { c: 2 } });
  });

  it.each([
    ['an array', '[1]', 400],
    ['invalid JSON', '{', 400],
    ['an empty body', '', 400],
  ])('rejects a config that is %s', async (_, body, status) => {
    const { url } = await start();
    const response = await json(`${url}/api/config`, put(body));
    expect(response.status).toBe(status);
    expect(response.body).toHaveProperty('error');
  });

  it('answers session requests with 503 while the gateway link is not active', async () => {
    const { url } = await start();
    const response = await json(`${url}/api/sessions/s1`);
    expect(response.status).toBe(503);
    expect(response.body.error).toMatch(/gateway link is not active/);
    expect(response.body.gateway.state).toMatch(/connecting|unreachable/);
  });

  it('answers unknown routes with 404 and never sends CORS headers', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/nope`, { headers: { origin: 'http://evil.example' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
