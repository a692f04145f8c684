import getPort from 'get-port';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { findPortOwner } from '../os/port-owner.js';
import { processIdentity } from '../os/process-identity.js';
import { SERVICES } from '../services/manifest.js';
import { killAndWait, type SpawnedProcess, spawnListener } from '../test-support/spawn-listener.js';
import { createTempCheckout } from '../test-support/temp-checkout.js';
import { findMarkedProcesses } from './find-marked-processes.js';
import type { Ledger } from './ledger.js';
import { resolvePort } from './resolve-port.js';
import { stopOwnedProcess } from './stop-owned-process.js';
import { type OwnedProcess, verifyOwnership } from './verify-ownership.js';

const ledgerWith = (checkout: Checkout, port: number, pid: number, startTime: string): Ledger => ({
  version: 1,
  checkoutId: checkout.id,
  backend: 'process',
  updatedAt: new Date().toISOString(),
  services: {
    gateway: {
      label: 'l',
      port,
      pid,
      startTime,
      since: new Date().toISOString(),
      mode: 'started',
    },
  },
});

describe('verifyOwnership', () => {
  let remove: () => void;
  let checkout: Checkout;
  let other: Checkout;
  let removeOther: () => void;
  const spawned: SpawnedProcess[] = [];

  beforeEach(async () => {
    ({ remove, checkout } = createTempCheckout({ services: false }));
    ({ remove: removeOther, checkout: other } = createTempCheckout({ services: false }));
  });
  afterEach(async () => {
    for (const { pid } of spawned.splice(0)) expect(await killAndWait(pid)).toBe(true);
    remove();
    removeOther();
  });

  async function listen(options: { instance?: string; viaParent?: boolean } = {}) {
    const port = await getPort();
    const process = await spawnListener({ port, ...options });
    spawned.push(process);
    const owner = await findPortOwner(port);
    if (owner.status !== 'listening') throw new Error(`no listener found on ${port}`);
    return { port, spawned: process, pid: owner.pid, command: owner.command };
  }

  it('calls a listener carrying this checkout marker ours', async () => {
    const { pid } = await listen({ instance: checkout.id });
    const verdict = await verifyOwnership(pid, { checkout, ledger: null, supervisorPids: [] });
    expect(verdict).toMatchObject({ ours: true, why: 'instance-marker', process: { pid } });
  });

  it('calls a listener ours when it descends from a main pid the supervisor reports', async () => {
    const { pid, spawned: parent } = await listen({ viaParent: true });
    expect(pid).not.toBe(parent.pid);
    const verdict = await verifyOwnership(pid, { checkout, ledger: null, supervisorPids: [parent.pid] });
    expect(verdict).toMatchObject({ ours: true, why: 'supervisor' });
    const unrelated = await verifyOwnership(pid, {
      checkout,
      ledger: null,
      supervisorPids: [process.pid + 1],
    });
    expect(unrelated.ours).toBe(false);
  });

  it('calls a listener ours when its pid and start time match the ledger', async () => {
    const { pid, port } = await listen();
    const startTime = (await processIdentity(pid))!.startTime;
    const ledger = ledgerWith(checkout, port, pid, startTime);
    expect(await verifyOwnership(pid, { checkout, ledger, supervisorPids: [] })).toMatchObject({
      ours: true,
      why: 'ledger',
    });
  });

  it('does not trust a ledger entry with the right pid but a wrong start time (pid reused)', async () => {
    const { pid, port } = await listen();
    const ledger = ledgerWith(checkout, port, pid, '1');
    const verdict = await verifyOwnership(pid, { checkout, ledger, supervisorPids: [] });
    expect(verdict).toMatchObject({ ours: false, identity: { pid } });
  });

  it('calls a process marked for another checkout foreign, whatever the ledger says', async () => {
    const { pid, port } = await listen({ instance: other.id });
    const ledger = ledgerWith(checkout, port, pid, (await processIdentity(pid))!.startTime);
    const verdict = await verifyOwnership(pid, { checkout, ledger, supervisorPids: [] });
    expect(verdict).toMatchObject({ ours: false });
    expect(verdict.ours === false && verdict.reason).toContain(`instance ${other.id}`);
  });

  it('calls a pid that does not run foreign, with no identity', async () => {
    const { spawned: gone } = await listen();
    expect(await killAndWait(gone.pid)).toBe(true);
    expect(await verifyOwnership(gone.pid, { checkout, ledger: null, supervisorPids: [] })).toMatchObject({
      ours: false,
      identity: null,
    });
  });

  describe.each([
    ['without a marker', () => undefined],
    ["with another checkout's marker", () => other.id],
  ])('a listener %s', (_name, instance) => {
    it('is found, reported foreign with pid and command, and still alive after every code path', async () => {
      const foreign = await listen({ instance: instance() });
      const identity = await processIdentity(foreign.pid);

      // Found, with pid and command.
      expect(foreign.pid).toBe(foreign.spawned.pid);
      expect(foreign.command).toContain(process.execPath);

      // Reported foreign, even with a ledger naming its port and pid (wrong start time).
      const ledger = ledgerWith(checkout, foreign.port, foreign.pid, '1');
      const verdict = await verifyOwnership(foreign.pid, { checkout, ledger, supervisorPids: [] });
      expect(verdict.ours).toBe(false);
      expect(verdict.ours === false && verdict.reason).toContain(`pid ${foreign.pid} (${process.execPath}`);

      // Port resolution moves away from its port and says who holds it.
      const gateway = SERVICES[0]!;
      const resolved = await resolvePort({
        spec: gateway,
        checkout,
        ledger,
        servicePid: null,
        peerPids: [],
        taken: new Set(),
      });
      expect(resolved.port).not.toBe(foreign.port);
      expect(resolved.holder.kind).toBe('foreign');
      expect(resolved.note).toMatch(new RegExp(`^port ${foreign.port} is held by pid ${foreign.pid} \\(`));

      // Not a marked process of this checkout.
      expect(await findMarkedProcesses(checkout.id)).not.toContain(foreign.pid);

      // stopOwnedProcess takes only a verified handle: a bare pid or a hand-made object does not compile,
      // and a forged cast is refused at runtime.
      // @ts-expect-error a bare pid is not an OwnedProcess
      const bare = () => stopOwnedProcess(foreign.pid);
      const handMade = { pid: foreign.pid, startTime: identity!.startTime, pgid: foreign.pid, command: 'x' };
      // @ts-expect-error a plain object lacks the brand only verifyOwnership can give
      const plain = () => stopOwnedProcess(handMade);
      expect(typeof bare).toBe('function');
      expect(typeof plain).toBe('function');
      const forged = handMade as unknown as OwnedProcess;
      expect(await stopOwnedProcess(forged, { graceMs: 100 })).toMatchObject({ stopped: false });

      // Still alive and still listening, untouched.
      expect(await processIdentity(foreign.pid)).toEqual(identity);
      expect(await findPortOwner(foreign.port)).toMatchObject({ status: 'listening', pid: foreign.pid });
    });
  });
});
