import getPort from 'get-port';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { isPortFree } from '../os/port-free.js';
import { findPortOwner } from '../os/port-owner.js';
import { isProcessAlive } from '../os/process-identity.js';
import { killAndWait, type SpawnListenerOptions, spawnListener } from '../test-support/spawn-listener.js';
import { createTempCheckout } from '../test-support/temp-checkout.js';
import { stopOwnedProcess } from './stop-owned-process.js';
import { type OwnedProcess, verifyOwnership } from './verify-ownership.js';

describe('stopOwnedProcess', () => {
  let remove: () => void;
  let checkout: Checkout;
  const pids: number[] = [];

  beforeEach(async () => {
    ({ remove, checkout } = createTempCheckout({ services: false }));
  });
  afterEach(async () => {
    for (const pid of pids.splice(0)) expect(await killAndWait(pid)).toBe(true);
    remove();
  });

  async function ownedListener(options: Partial<SpawnListenerOptions> = {}) {
    const port = await getPort();
    const spawned = await spawnListener({ port, instance: checkout.id, ...options });
    pids.push(spawned.pid);
    const verdict = await verifyOwnership(spawned.pid, {
      checkout,
      ledger: null,
      supervisorPids: [spawned.pid],
    });
    if (!verdict.ours) throw new Error(verdict.reason);
    return { port, pid: spawned.pid, owned: verdict.process };
  }

  it('stops a verified listener of ours with SIGTERM: pid gone, port free', async () => {
    const { port, pid, owned } = await ownedListener();
    expect(await stopOwnedProcess(owned, { port })).toEqual({ stopped: true, signal: 'SIGTERM' });
    expect(isProcessAlive(pid)).toBe(false);
    expect(await isPortFree(port)).toBe(true);
    expect(await findPortOwner(port)).toEqual({ status: 'free', port });
  });

  it('escalates to SIGKILL when the process ignores SIGTERM past the grace period', async () => {
    const { port, pid, owned } = await ownedListener({ ignoreTerm: true });
    expect(await stopOwnedProcess(owned, { port, graceMs: 300 })).toEqual({
      stopped: true,
      signal: 'SIGKILL',
    });
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('signals the whole process group, so the listening child goes too', async () => {
    const { port, pid } = await ownedListener({ viaParent: true });
    const owner = await findPortOwner(port);
    expect(owner.status === 'listening' && owner.pid).not.toBe(pid);
    const verdict = await verifyOwnership(pid, { checkout, ledger: null, supervisorPids: [pid] });
    expect(await stopOwnedProcess((verdict as { process: OwnedProcess }).process, { port })).toMatchObject({
      stopped: true,
    });
    expect(isProcessAlive(pid)).toBe(false);
    expect(owner.status === 'listening' && isProcessAlive(owner.pid)).toBe(false);
    expect(await isPortFree(port)).toBe(true);
  });

  it('kills the rest of the group when the leader exits but a child still holds the port', async () => {
    const { port, pid, owned } = await ownedListener({ viaParent: true, ignoreTerm: true });
    const owner = await findPortOwner(port);
    expect(await stopOwnedProcess(owned, { port, graceMs: 300 })).toEqual({
      stopped: true,
      signal: 'SIGKILL',
    });
    expect(isProcessAlive(pid)).toBe(false);
    expect(owner.status === 'listening' && isProcessAlive(owner.pid)).toBe(false);
    expect(await isPortFree(port)).toBe(true);
  });

  it('reports a process that is already gone as stopped without signalling', async () => {
    const { pid, owned } = await ownedListener();
    expect(await killAndWait(pid)).toBe(true);
    expect(await stopOwnedProcess(owned)).toEqual({ stopped: true, signal: null });
  });

  it('is idempotent: a second stop finds nothing to signal', async () => {
    const { port, owned } = await ownedListener();
    await stopOwnedProcess(owned, { port });
    expect(await stopOwnedProcess(owned, { port })).toEqual({ stopped: true, signal: null });
  });
});
