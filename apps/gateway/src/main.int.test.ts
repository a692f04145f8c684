import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  freePort,
  type ServiceProcess,
  startService,
  stopServices,
  TempDirs,
  testStartupExits,
} from '@nexu/service-kit/test-support';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectTestClient, openTestClient } from './test-client.js';

// These tests run the built bundle (`pnpm build` first), as the supervisors do.
const ENTRY = resolve(import.meta.dirname, '../dist/main.js');
const temp = new TempDirs();
const children: ServiceProcess[] = [];

beforeAll(() => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`pnpm build\` first`);
});

afterEach(async () => {
  await stopServices(children);
  await temp.removeAll();
});

async function spawnGateway(env: Record<string, string>) {
  const gateway = await startService(ENTRY, env);
  children.push(gateway);
  return gateway;
}

describe('gateway process', () => {
  testStartupExits({
    service: 'gateway',
    entry: ENTRY,
    badEnv: [
      ['NEXU_HOME is missing', { PORT: '18789' }, 'gateway: NEXU_HOME is not set'],
      [
        'PORT is not a number',
        { NEXU_HOME: '/tmp', PORT: 'abc' },
        'gateway: PORT must be an integer 1-65535, got "abc"',
      ],
      [
        'PORT is out of range',
        { NEXU_HOME: '/tmp', PORT: '70000' },
        'gateway: PORT must be an integer 1-65535, got "70000"',
      ],
    ],
  });

  it('prints its URL and pid, and exits 0 on SIGTERM with a client connected', async () => {
    const port = await freePort();
    const gateway = await spawnGateway({ NEXU_HOME: await temp.make(), PORT: String(port) });
    expect(gateway.stdout).toContain(`gateway listening on http://127.0.0.1:${port} (pid ${gateway.pid})`);
    const client = await openTestClient(`ws://127.0.0.1:${port}/ws`);
    expect(await client.request('ping')).toMatchObject({ ok: true });
    gateway.child.kill('SIGTERM');
    expect(await gateway.waitForExit(5000)).toEqual({ code: 0, signal: null });
  });

  it('echoes NEXU_DEV_INSTANCE in /health', async () => {
    const gateway = await spawnGateway({
      NEXU_HOME: await temp.make(),
      PORT: String(await freePort()),
      NEXU_DEV_INSTANCE: 'ab12cd',
    });
    const health = await (await fetch(`${gateway.url}/health`)).json();
    expect(health).toMatchObject({ ok: true, service: 'gateway', pid: gateway.pid, instance: 'ab12cd' });
  });

  it('keeps sessions across a restart', async () => {
    const nexuHome = await temp.make();
    const port = String(await freePort());
    const first = await spawnGateway({ NEXU_HOME: nexuHome, PORT: port });
    const client = await openTestClient(`${first.url.replace('http', 'ws')}/ws`);
    expect(await client.request('session.put', { id: 'keep', data: [1, 2, 3] })).toMatchObject({ ok: true });
    client.close();
    await first.stop();

    const second = await spawnGateway({ NEXU_HOME: nexuHome, PORT: port });
    expect(second.pid).not.toBe(first.pid);
    const again = await openTestClient(`${second.url.replace('http', 'ws')}/ws`);
    expect(await again.request('session.get', { id: 'keep' })).toMatchObject({
      ok: true,
      result: { data: [1, 2, 3] },
    });
    again.close();
  });

  it('moves a corrupt state file aside, says so on stderr, and starts empty', async () => {
    const nexuHome = await temp.make();
    const stateDir = join(nexuHome, 'gateway');
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'state.json'), '{"version":1,"sessions":');
    const gateway = await spawnGateway({ NEXU_HOME: nexuHome, PORT: String(await freePort()) });
    expect(gateway.stderr).toContain(`state file ${join(stateDir, 'state.json')} is corrupt`);
    const files = await readdir(stateDir);
    const aside = files.find((name) => name.startsWith('state.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(stateDir, aside!), 'utf8')).toBe('{"version":1,"sessions":');
    const client = await openTestClient(`${gateway.url.replace('http', 'ws')}/ws`);
    expect(await client.request('session.list')).toMatchObject({ ok: true, result: { sessions: [] } });
    client.close();
  });

  describe('with NEXU_GATEWAY_TOKEN set', () => {
    it.each([
      ['no Authorization header', {}, 401],
      ['a wrong token', { Authorization: 'Bearer wrong' }, 401],
      ['a non-bearer scheme', { Authorization: 'Basic c2VjcmV0' }, 401],
    ])('refuses a client with %s', async (_, headers, status) => {
      const gateway = await spawnGateway({
        NEXU_HOME: await temp.make(),
        PORT: String(await freePort()),
        NEXU_GATEWAY_TOKEN: 'secret',
      });
      const result = await connectTestClient(`${gateway.url.replace('http', 'ws')}/ws`, headers);
      expect(result).toEqual({ ok: false, status });
    });

    it('accepts a client with the right bearer token', async () => {
      const gateway = await spawnGateway({
        NEXU_HOME: await temp.make(),
        PORT: String(await freePort()),
        NEXU_GATEWAY_TOKEN: 'secret',
      });
      const client = await openTestClient(`${gateway.url.replace('http', 'ws')}/ws`, {
        Authorization: 'Bearer secret',
      });
      expect(await client.request('ping')).toMatchObject({ ok: true });
      client.close();
    });
  });

  it('accepts any local client when no token is set', async () => {
    const gateway = await spawnGateway({ NEXU_HOME: await temp.make(), PORT: String(await freePort()) });
    const client = await openTestClient(`${gateway.url.replace('http', 'ws')}/ws`);
    expect(await client.request('ping')).toMatchObject({ ok: true });
    client.close();
  });
});
