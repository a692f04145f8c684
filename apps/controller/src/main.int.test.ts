import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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

// These tests run the built bundles (`pnpm build` first), as the supervisors do.
const ENTRY = resolve(import.meta.dirname, '../dist/main.js');
const GATEWAY_ENTRY = resolve(import.meta.dirname, '../../gateway/dist/main.js');
const temp = new TempDirs();
const children: ServiceProcess[] = [];

beforeAll(() => {
  for (const entry of [ENTRY, GATEWAY_ENTRY]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first`);
  }
});

afterEach(async () => {
  await stopServices(children);
  await temp.removeAll();
});

async function spawn(entry: string, env: Record<string, string>) {
  const child = await startService(entry, env);
  children.push(child);
  return child;
}

async function spawnGateway(port: number, extra: Record<string, string> = {}) {
  return spawn(GATEWAY_ENTRY, { NEXU_HOME: await temp.make(), PORT: String(port), ...extra });
}

async function spawnController(gatewayPort: number, extra: Record<string, string> = {}) {
  return spawn(ENTRY, {
    NEXU_HOME: await temp.make(),
    PORT: String(await freePort()),
    NEXU_GATEWAY_URL: `ws://127.0.0.1:${gatewayPort}/ws`,
    ...extra,
  });
}

interface Runtime {
  readonly gateway: { readonly url: string; readonly state: string };
  readonly [field: string]: unknown;
}

async function runtime(url: string): Promise<Runtime> {
  return (await fetch(`${url}/api/runtime`)).json() as Promise<Runtime>;
}

const gatewayState = async (url: string): Promise<string> => (await runtime(url)).gateway.state;

describe('controller process', () => {
  testStartupExits({
    service: 'controller',
    entry: ENTRY,
    badEnv: [
      [
        'NEXU_HOME is missing',
        { PORT: '18790', NEXU_GATEWAY_URL: 'ws://127.0.0.1:1/ws' },
        'controller: NEXU_HOME is not set',
      ],
      [
        'PORT is not a number',
        { NEXU_HOME: '/tmp', PORT: 'abc' },
        'controller: PORT must be an integer 1-65535, got "abc"',
      ],
      [
        'PORT is out of range',
        { NEXU_HOME: '/tmp', PORT: '70000' },
        'controller: PORT must be an integer 1-65535, got "70000"',
      ],
      [
        'NEXU_GATEWAY_URL is missing',
        { NEXU_HOME: '/tmp', PORT: '18790' },
        'controller: NEXU_GATEWAY_URL is not set',
      ],
    ],
    peerEnv: { NEXU_GATEWAY_URL: 'ws://127.0.0.1:1/ws' },
  });

  it('reports a build id that is the hash of its own bundle', async () => {
    const controller = await spawnController(await freePort());
    const expected = createHash('sha256').update(readFileSync(ENTRY)).digest('hex').slice(0, 12);
    expect(await runtime(controller.url)).toMatchObject({
      buildId: expected,
      pid: controller.pid,
      service: 'controller',
    });
  });

  it('links to the gateway and gets the link back after the gateway restarts', async () => {
    const gatewayPort = await freePort();
    const first = await spawnGateway(gatewayPort);
    const controller = await spawnController(gatewayPort, { NEXU_DEV_INSTANCE: 'ab12' });
    await waitUntil('link active', async () => (await gatewayState(controller.url)) === 'active');
    expect(await runtime(controller.url)).toMatchObject({
      instance: 'ab12',
      gateway: { url: `ws://127.0.0.1:${gatewayPort}/ws` },
    });

    await first.stop();
    await waitUntil('link down', async () =>
      ['unreachable', 'connecting'].includes(await gatewayState(controller.url)),
    );
    const down = await fetch(`${controller.url}/api/sessions/x`);
    expect(down.status).toBe(503);

    const second = await spawnGateway(gatewayPort);
    await waitUntil('link active again', async () => (await gatewayState(controller.url)) === 'active');
    const put = await fetch(`${controller.url}/api/sessions/x`, { method: 'PUT', body: '{"v":1}' });
    expect(put.status).toBe(200);
    expect(second.pid).not.toBe(first.pid);
  });

  it('presents NEXU_GATEWAY_TOKEN to a gateway that requires it', async () => {
    const gatewayPort = await freePort();
    await spawnGateway(gatewayPort, { NEXU_GATEWAY_TOKEN: 'secret' });
    const controller = await spawnController(gatewayPort, { NEXU_GATEWAY_TOKEN: 'secret' });
    await waitUntil('link active', async () => (await gatewayState(controller.url)) === 'active');
  });

  it('stays unlinked with a wrong token, and says so', async () => {
    const gatewayPort = await freePort();
    await spawnGateway(gatewayPort, { NEXU_GATEWAY_TOKEN: 'secret' });
    const controller = await spawnController(gatewayPort, { NEXU_GATEWAY_TOKEN: 'wrong' });
    await waitUntil('link unreachable', async () => (await gatewayState(controller.url)) === 'unreachable');
    await waitUntil('a log line naming the refusal', () => /401/.test(controller.stderr));
    expect((await fetch(`${controller.url}/api/sessions/x`)).status).toBe(503);
  });

  it('exits 0 on SIGTERM while linked to the gateway', async () => {
    const gatewayPort = await freePort();
    await spawnGateway(gatewayPort);
    const controller = await spawnController(gatewayPort);
    await waitUntil('link active', async () => (await gatewayState(controller.url)) === 'active');
    controller.child.kill('SIGTERM');
    expect(await controller.waitForExit(5000)).toEqual({ code: 0, signal: null });
  });
});
