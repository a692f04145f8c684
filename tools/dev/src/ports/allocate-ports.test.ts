import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { isPortFree } from '../os/port-free.js';
import { processIdentity } from '../os/process-identity.js';
import { SERVICES, type ServicePorts } from '../services/manifest.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { allocatePort, allocatePorts, checkoutPortOffset, initialPorts } from './allocate-ports.js';
import type { Ledger } from './ledger.js';

const ledgerFor = (checkout: Checkout, ports: Partial<ServicePorts>): Ledger => ({
  version: 1,
  checkoutId: checkout.id,
  backend: 'process',
  updatedAt: new Date().toISOString(),
  services: Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [
      name,
      { label: name, port, pid: null, startTime: null, unitHash: 'h', since: 'now', mode: 'started' },
    ]),
  ),
});

describe('allocatePorts', () => {
  const temps: TempCheckout[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    for (const temp of temps.splice(0)) temp.remove();
  });

  async function checkout() {
    const temp = createTempCheckout({ services: false });
    temps.push(temp);
    return temp.checkout;
  }
  async function hold(port: number, host = '127.0.0.1') {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
  }
  const assertDistinct = (ports: ServicePorts) => {
    const values = Object.values(ports);
    expect(new Set(values).size).toBe(SERVICES.length);
    for (const port of values) expect(port).toBeGreaterThan(0);
  };

  it('gives two checkouts non-colliding ports while both run', async () => {
    const a = await checkout();
    const b = await checkout();
    const first = await allocatePorts({ checkout: a, ledger: null });
    for (const port of Object.values(first.ports)) await hold(port);
    const second = await allocatePorts({ checkout: b, ledger: null });
    assertDistinct(first.ports);
    assertDistinct(second.ports);
    for (const port of Object.values(second.ports)) expect(Object.values(first.ports)).not.toContain(port);
  });

  it('gives the same checkout the same ports twice, with and without its ledger', async () => {
    const a = await checkout();
    const first = await allocatePorts({ checkout: a, ledger: null });
    expect((await allocatePorts({ checkout: a, ledger: null })).ports).toEqual(first.ports);
    const ledger = ledgerFor(a, first.ports);
    expect(await allocatePorts({ checkout: a, ledger })).toEqual({ ports: first.ports, notes: [] });
  });

  it('uses the preferred ports shifted by a stable per-checkout offset when they are free', async (context) => {
    const a = await checkout();
    const offset = checkoutPortOffset(a.id);
    expect(offset % 10).toBe(0);
    expect(checkoutPortOffset(a.id)).toBe(offset);
    const expected = initialPorts(a, null);
    for (const port of Object.values(expected)) if (!(await isPortFree(port))) context.skip();
    expect((await allocatePorts({ checkout: a, ledger: null })).ports).toEqual({
      gateway: 18789 + offset,
      controller: 18790 + offset,
      web: 18791 + offset,
    });
  });

  it('keeps the ledger port when it is busy but verified ours', async () => {
    const a = await checkout();
    const { ports } = await allocatePorts({ checkout: a, ledger: null });
    await hold(ports.gateway);
    const ledger = ledgerFor(a, { gateway: ports.gateway });
    const kept = await allocatePorts({ checkout: a, ledger, isOurs: async (port) => port === ports.gateway });
    expect(kept.ports.gateway).toBe(ports.gateway);
    expect(kept.notes).toEqual([]);
  });

  it('moves off a busy ledger port that is not ours and says who holds it', async () => {
    const a = await checkout();
    const { ports } = await allocatePorts({ checkout: a, ledger: null });
    await hold(ports.controller);
    const moved = await allocatePort({ checkout: a, ledger: ledgerFor(a, ports), service: 'controller' });
    expect(moved.port).not.toBe(ports.controller);
    const self = await processIdentity(process.pid);
    expect(moved.note).toBe(
      `controller: port ${ports.controller} is held by pid ${process.pid} (${self?.command}): using ${moved.port} instead`,
    );
  });

  it('falls back to any free port when the shifted preferred port is busy, never a busy one', async () => {
    const a = await checkout();
    const shifted = initialPorts(a, null);
    await hold(shifted.web, '0.0.0.0');
    const { ports, notes } = await allocatePorts({ checkout: a, ledger: null });
    expect(ports.web).not.toBe(shifted.web);
    expect(await isPortFree(ports.web)).toBe(true);
    expect(notes).toContainEqual(
      expect.stringMatching(new RegExp(`^web: port ${shifted.web} is held by pid `)),
    );
    assertDistinct(ports);
  });

  it('never gives two services one port, even when the ledger points one at another shifted port', async () => {
    const a = await checkout();
    const shifted = initialPorts(a, null);
    const ledger = ledgerFor(a, { gateway: shifted.controller });
    const { ports } = await allocatePorts({ checkout: a, ledger });
    assertDistinct(ports);
    expect(ports.gateway).toBe(shifted.controller);
    expect(ports.controller).not.toBe(shifted.controller);
  });

  it('expects the ledger ports, else the shifted preferred ones, without probing', async () => {
    const a = await checkout();
    const shifted = initialPorts(a, null);
    expect(initialPorts(a, ledgerFor(a, { web: 40000 }))).toEqual({ ...shifted, web: 40000 });
  });
});
