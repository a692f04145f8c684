import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { processIdentity } from '../os/process-identity.js';
import { SERVICES, type ServiceName } from '../services/manifest.js';
import { killAndWait, spawnListener } from '../test-support/spawn-listener.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { expectedPorts, resolvePort, resolvePorts } from './resolve-port.js';

const serviceOf = (name: ServiceName) => SERVICES.find((s) => s.name === name)!;

describe('resolvePort', () => {
  const temps: TempCheckout[] = [];
  const servers: Server[] = [];
  const pids: number[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    for (const pid of pids.splice(0)) expect(await killAndWait(pid)).toBe(true);
    for (const temp of temps.splice(0)) temp.remove();
  });

  function checkout() {
    const temp = createTempCheckout({ services: false });
    temps.push(temp);
    return temp.checkout;
  }

  it('keeps a port held by the service itself (its supervisor main pid)', async () => {
    const a = checkout();
    const port = expectedPorts(a, null).gateway;
    const own = await spawnListener({ port, instance: a.id });
    pids.push(own.pid);
    const resolved = await resolvePort({
      spec: serviceOf('gateway'),
      checkout: a,
      ledger: null,
      servicePid: own.pid,
      peerPids: [],
      taken: new Set(),
    });
    expect(resolved).toEqual({ port, expected: port, holder: { kind: 'service', pid: own.pid } });
  });

  it('keeps a port held by a verified leftover of this checkout, reporting it stale for the caller to stop', async () => {
    const a = checkout();
    const port = expectedPorts(a, null).controller;
    const leftover = await spawnListener({ port, instance: a.id });
    pids.push(leftover.pid);
    const controller = (
      await resolvePorts({ checkout: a, ledger: null, services: SERVICES, pidOf: () => null })
    ).get('controller')!;
    expect(controller.port).toBe(port);
    expect(controller.holder).toMatchObject({ kind: 'stale', process: { pid: leftover.pid } });
    expect(controller.note).toBeUndefined();
    // Resolving stops nothing.
    expect(await processIdentity(leftover.pid)).not.toBeNull();
  });

  it('moves off a port held by another unit of this checkout, never calling it stale', async () => {
    const a = checkout();
    const port = expectedPorts(a, null).web;
    const peer = await spawnListener({ port, instance: a.id });
    pids.push(peer.pid);
    const pidOf = (name: string) => (name === 'controller' ? peer.pid : null);
    const web = (await resolvePorts({ checkout: a, ledger: null, services: SERVICES, pidOf })).get('web')!;
    expect(web.port).not.toBe(port);
    expect(web.holder.kind).toBe('foreign');
  });
});
