import { rm, writeFile } from 'node:fs/promises';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { ensureStateDirs } from '../checkout/ensure-state-dirs.js';
import { processIdentity } from '../os/process-identity.js';
import { type Ledger, writeLedger } from '../ports/ledger.js';
import { createTempCheckout } from '../test-support/temp-checkout.js';
import { writeLockHolder } from '../test-support/write-lock-holder.js';
import { type CheckoutChange, type CheckoutFollower, followCheckout } from './follow-checkout.js';

const ledgerOf = (checkout: Checkout, port: number): Ledger => ({
  version: 1,
  checkoutId: checkout.id,
  root: checkout.root,
  backend: 'process',
  updatedAt: new Date().toISOString(),
  services: {
    gateway: {
      label: `io.nexu.gateway.${checkout.id}.dev`,
      port,
      pid: null,
      startTime: null,
      since: new Date().toISOString(),
      mode: 'started',
    },
  },
});

describe('followCheckout', () => {
  let remove: () => void;
  let checkout: Checkout;
  let follower: CheckoutFollower | undefined;
  const changes: CheckoutChange[] = [];
  beforeEach(async () => {
    ({ remove, checkout } = createTempCheckout({ services: false }));
    await ensureStateDirs(checkout);
    await writeLedger(checkout, ledgerOf(checkout, 18789));
    follower = followCheckout(checkout, { intervalMs: 20, onChange: (change) => changes.push(change) });
  });
  afterEach(async () => {
    // Awaited: a look still under way must not report into the next test's changes.
    await follower?.close();
    changes.splice(0);
    remove();
  });
  const next = async () => {
    const seen = await waitFor(() => changes.shift(), { timeoutMs: 5_000 });
    if (!seen.ok) throw new Error('no change reported');
    return seen.value;
  };

  it('reports a ledger another start rewrote, with its content', async () => {
    await writeLedger(checkout, ledgerOf(checkout, 19000));
    const change = await next();
    expect(change).toMatchObject({ kind: 'replaced', ledger: { services: { gateway: { port: 19000 } } } });
  });

  it('reports a removed ledger as a stop', async () => {
    await rm(checkout.ledgerPath);
    expect(await next()).toEqual({ kind: 'stopped', by: null });
  });

  it('reports a removed state folder as a reset', async () => {
    await rm(checkout.stateDir, { recursive: true });
    expect(await next()).toEqual({ kind: 'reset', by: null });
  });

  it('reports a ledger rewritten as garbage as one that cannot be followed', async () => {
    await writeFile(checkout.ledgerPath, 'not json');
    expect(await next()).toMatchObject({
      kind: 'unreadable',
      problem: expect.stringMatching(/not valid JSON/),
    });
  });

  it('reports a failing takeover check and keeps looking; close waits for the check under way', async () => {
    follower?.close();
    const errors: unknown[] = [];
    let ticks = 0;
    let release: (() => void) | undefined;
    let finished = false;
    follower = followCheckout(checkout, {
      intervalMs: 20,
      onChange: (change) => changes.push(change),
      onError: (error) => errors.push(error),
      async onTick() {
        ticks += 1;
        if (ticks === 1) throw new Error('cannot take over');
        if (ticks === 3) {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          finished = true;
        }
      },
    });
    expect((await waitFor(() => release, { timeoutMs: 5_000 })).ok).toBe(true);
    expect(errors).toEqual([new Error('cannot take over')]);
    let closed = false;
    const closing = follower.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release?.();
    await closing;
    expect(finished).toBe(true);
    expect(ticks).toBe(3);
  });

  it('sees a lock another command took while a look ran, and names that command when the ledger goes', async () => {
    await follower?.close();
    // The poll is out of the way: only the folder watch and the follower's own re-look can tell.
    const parent = await processIdentity(process.ppid);
    let ticks = 0;
    follower = followCheckout(checkout, {
      intervalMs: 600_000,
      onChange: (change) => changes.push(change),
      async onTick() {
        ticks += 1;
        if (ticks !== 1) return;
        // `pnpm reset-state` takes the lock while the first look is still under way.
        await writeLockHolder(checkout.lockPath, process.ppid, parent!.startTime, 'pnpm reset-state');
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
    });
    expect((await waitFor(() => ticks >= 2, { timeoutMs: 5_000 })).ok).toBe(true);
    // It removes the ledger and lets go of the lock before it deletes the folder.
    await rm(checkout.ledgerPath);
    await rm(checkout.lockPath);
    expect(await next()).toEqual({ kind: 'reset', by: 'pnpm reset-state' });
  });
});
