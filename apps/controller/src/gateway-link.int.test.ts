import { resolve } from 'node:path';
import {
  freePort,
  type ServiceProcess,
  startService,
  TempDirs,
  waitUntil,
} from '@nexu/service-kit/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayLink } from './gateway-link.js';

const GATEWAY_ENTRY = resolve(import.meta.dirname, '../../gateway/dist/main.js');
const temp = new TempDirs();
const children: ServiceProcess[] = [];
let link: GatewayLink | undefined;

afterEach(async () => {
  await link?.close();
  link = undefined;
  await Promise.all(children.splice(0).map((child) => child.stop()));
  await temp.removeAll();
});

async function startGateway(port: number): Promise<ServiceProcess> {
  const gateway = await startService(GATEWAY_ENTRY, { NEXU_HOME: await temp.make(), PORT: String(port) });
  children.push(gateway);
  return gateway;
}

describe('GatewayLink', () => {
  it('reconnects as soon as a health probe sees the gateway come back, without waiting out the backoff', async () => {
    const port = await freePort();
    // A backoff far longer than the test's deadline: only the probe can bring the link back.
    link = new GatewayLink({
      url: `ws://127.0.0.1:${port}/ws`,
      token: null,
      minBackoffMs: 600_000,
      maxBackoffMs: 600_000,
      probeIntervalMs: 50,
    });
    link.start();
    await waitUntil('the first attempt to fail', () => link?.state === 'unreachable');
    await startGateway(port);
    await waitUntil('the link to be active', () => link?.state === 'active');
    expect(await link.request('ping')).toMatchObject({ delivered: true, response: { ok: true } });
  });

  it('answers requests with not-active while the gateway is down', async () => {
    link = new GatewayLink({ url: `ws://127.0.0.1:${await freePort()}/ws`, token: null });
    link.start();
    expect(await link.request('ping')).toEqual({ delivered: false, reason: 'not-active' });
  });

  it('notices when the gateway goes away and refuses new requests', async () => {
    const port = await freePort();
    const gateway = await startGateway(port);
    link = new GatewayLink({ url: `ws://127.0.0.1:${port}/ws`, token: null });
    link.start();
    await waitUntil('the link to be active', () => link?.state === 'active');
    await gateway.stop();
    await waitUntil('the link to notice', () => link?.state !== 'active');
    expect(await link.request('ping')).toEqual({ delivered: false, reason: 'not-active' });
  });

  it('closes idempotently and refuses requests afterwards', async () => {
    const port = await freePort();
    await startGateway(port);
    link = new GatewayLink({ url: `ws://127.0.0.1:${port}/ws`, token: null });
    link.start();
    await waitUntil('the link to be active', () => link?.state === 'active');
    await Promise.all([link.close(), link.close()]);
    expect(link.state).toBe('unreachable');
    expect(await link.request('ping')).toEqual({ delivered: false, reason: 'not-active' });
  });
});
