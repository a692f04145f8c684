import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { isPortFree } from '../os/port-free.js';
import { processIdentity } from '../os/process-identity.js';
import { SERVICES, type ServiceName, type ServicePorts } from '../services/manifest.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import type { Ledger } from './ledger.js';
import {
  checkoutPortOffset,
  expectedPorts,
  fallbackPorts,
  type ResolvedPort,
  resolvePort,
  resolvePorts,
} from './resolve-port.js';

const ledgerFor = (checkout: Checkout, ports: Partial<ServicePorts>): Ledger => ({
  version: 1,
  checkoutId: checkout.id,
  backend: 'process',
  updatedAt: new Date().toISOString(),
  services: Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [
      name,
      { label: name, port, pid: null, startTime: null, since: 'now', mode: 'started' },
    ]),
  ),
});

/** Every service's port, resolved as `pnpm start` does. */
async function resolveAll(
  checkout: Checkout,
  ledger: Ledger | null,
  pids: Partial<Record<ServiceName, number>> = {},
): Promise<Record<ServiceName, ResolvedPort>> {
  const resolved = await resolvePorts({
    checkout,
    ledger,
    services: SERVICES,
    pidOf: (name) => pids[name] ?? null,
  });
  return Object.fromEntries(resolved) as Record<ServiceName, ResolvedPort>;
}
const portsOf = (resolved: Record<ServiceName, ResolvedPort>) =>
  Object.fromEntries(Object.entries(resolved).map(([name, r]) => [name, r.port])) as unknown as ServicePorts;

describe('resolvePort', () => {
  const temps: TempCheckout[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    for (const temp of temps.splice(0)) temp.remove();
  });

  function checkout() {
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
    const a = checkout();
    const b = checkout();
    const first = portsOf(await resolveAll(a, null));
    for (const port of Object.values(first)) await hold(port);
    const second = portsOf(await resolveAll(b, null));
    assertDistinct(first);
    assertDistinct(second);
    for (const port of Object.values(second)) expect(Object.values(first)).not.toContain(port);
  });

  it('uses the preferred ports shifted by a stable per-checkout offset, and the same ports every time', async (context) => {
    const a = checkout();
    const offset = checkoutPortOffset(a.id);
    expect(offset % 10).toBe(0);
    const expected = expectedPorts(a, null);
    expect(expected).toEqual({ gateway: 18789 + offset, controller: 18790 + offset, web: 18791 + offset });
    for (const port of Object.values(expected)) if (!(await isPortFree(port))) context.skip();
    const first = await resolveAll(a, null);
    expect(portsOf(first)).toEqual(expected);
    expect(Object.values(first).map((r) => [r.holder.kind, r.note])).toEqual(
      SERVICES.map(() => ['free', undefined]),
    );
    expect(portsOf(await resolveAll(a, ledgerFor(a, expected)))).toEqual(expected);
  });

  it('moves off a busy ledger port that is not ours and says who holds it', async () => {
    const a = checkout();
    const ports = portsOf(await resolveAll(a, null));
    await hold(ports.controller);
    const { controller } = await resolveAll(a, ledgerFor(a, ports));
    expect(controller.port).not.toBe(ports.controller);
    const self = await processIdentity(process.pid);
    expect(controller.note).toBe(
      `port ${ports.controller} is held by pid ${process.pid} (${self?.command}), not ours: using ${controller.port} instead`,
    );
    expect(await isPortFree(controller.port)).toBe(true);
  });

  it('moves a service off a port it lost, even when that port is free again, and says why', async () => {
    const a = checkout();
    const ports = expectedPorts(a, null);
    const lost = { port: ports.controller, description: 'was taken before it could bind it' };
    const resolved = await resolvePort({
      spec: SERVICES.find((s) => s.name === 'controller')!,
      checkout: a,
      ledger: null,
      servicePid: null,
      peerPids: [],
      taken: new Set([ports.gateway, ports.web]),
      lost,
    });
    expect([ports.gateway, ports.controller, ports.web]).not.toContain(resolved.port);
    expect(resolved).toMatchObject({
      expected: ports.controller,
      note: `port ${ports.controller} was taken before it could bind it: using ${resolved.port} instead`,
    });
  });

  it('moves a service to the same port on every resolution: the first free one of its stable sequence', async () => {
    const a = checkout();
    const shifted = expectedPorts(a, null);
    await hold(shifted.controller);
    const first = await resolveAll(a, null);
    const second = await resolveAll(a, null);
    expect(second.controller.port).toBe(first.controller.port);
    const controller = SERVICES.find((s) => s.name === 'controller')!;
    const sequence = [...fallbackPorts(controller, a.id)].slice(0, 400);
    expect(sequence[0]).toBe(shifted.controller);
    expect(sequence.indexOf(first.controller.port)).toBeGreaterThan(0);
  });

  it('falls back to another free port when the shifted preferred port is busy on the wildcard address', async () => {
    const a = checkout();
    const shifted = expectedPorts(a, null);
    await hold(shifted.web, '0.0.0.0');
    const resolved = await resolveAll(a, null);
    expect(resolved.web.port).not.toBe(shifted.web);
    expect(await isPortFree(resolved.web.port)).toBe(true);
    expect(resolved.web.note).toMatch(new RegExp(`^port ${shifted.web} is held by pid ${process.pid} `));
    assertDistinct(portsOf(resolved));
  });

  it('never gives two services one port, even when the ledger points one at another shifted port', async () => {
    const a = checkout();
    const shifted = expectedPorts(a, null);
    const resolved = await resolveAll(a, ledgerFor(a, { gateway: shifted.controller }));
    assertDistinct(portsOf(resolved));
    expect(resolved.gateway.port).toBe(shifted.controller);
    expect(resolved.controller.port).not.toBe(shifted.controller);
    expect(resolved.controller.note).toContain('is already given to another service');
  });

  it('expects the ledger ports, else the shifted preferred ones, without probing', () => {
    const a = checkout();
    const shifted = expectedPorts(a, null);
    expect(expectedPorts(a, ledgerFor(a, { web: 40000 }))).toEqual({ ...shifted, web: 40000 });
  });
});
