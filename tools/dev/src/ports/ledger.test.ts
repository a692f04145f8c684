import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Checkout, checkoutAt, checkoutIdFor } from '../checkout/checkout.js';
import { ensureStateDirs } from '../checkout/ensure-state-dirs.js';
import { serviceLabel } from '../checkout/service-identity.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { createTempCheckout } from '../test-support/temp-checkout.js';
import { type Ledger, ledgerFor, readLedger, removeLedger, writeLedger } from './ledger.js';
import { validateLedger } from './validate-ledger.js';

const ledgerOf = (checkoutId: string): Ledger => ({
  version: 1,
  checkoutId,
  backend: 'process',
  updatedAt: '2025-01-01T00:00:00.000Z',
  services: {
    gateway: {
      label: `io.nexu.gateway.${checkoutId}.dev`,
      port: 18789,
      pid: 1234,
      startTime: '5678',
      since: '2025-01-01T00:00:00.000Z',
      mode: 'started',
    },
  },
});

describe('ledger', () => {
  let remove: () => void;
  let checkout: Checkout;
  beforeEach(async () => {
    ({ remove, checkout } = createTempCheckout({ services: false }));
    await ensureStateDirs(checkout);
  });
  afterEach(() => remove());

  it('reads back what it wrote', async () => {
    const ledger = ledgerOf(checkout.id);
    await writeLedger(checkout, ledger);
    expect(await readLedger(checkout)).toEqual({ ledger });
  });

  it('writes the file with mode 0600 and leaves no temp files behind', async () => {
    await writeLedger(checkout, ledgerOf(checkout.id));
    await writeLedger(checkout, ledgerOf(checkout.id));
    expect((await stat(checkout.ledgerPath)).mode & 0o777).toBe(0o600);
    expect(await readdir(dirname(checkout.ledgerPath))).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/tmp$/)]),
    );
    expect((await readdir(dirname(checkout.ledgerPath))).filter((f) => f.startsWith('runtime.json'))).toEqual(
      ['runtime.json'],
    );
  });

  it('reports a missing file as no ledger and no problem', async () => {
    expect(await readLedger(checkout)).toEqual({ ledger: null });
  });

  it('removes the ledger, also when there is none', async () => {
    await writeLedger(checkout, ledgerOf(checkout.id));
    await removeLedger(checkout);
    await removeLedger(checkout);
    expect(await readLedger(checkout)).toEqual({ ledger: null });
  });

  const full = () => JSON.stringify(ledgerOf('CHECKOUT'));
  describe.each([
    ['corrupt bytes', () => '\u0000\u0001garbage', /not valid JSON/],
    ['a truncated file', () => full().slice(0, 40), /not valid JSON/],
    ['JSON that is not an object', () => '[1,2,3]', /not a ledger/],
    ['an empty file', () => '', /not valid JSON/],
    [
      'a wrong schema',
      () => JSON.stringify({ ...ledgerOf('CHECKOUT'), services: { gateway: { port: 'x' } } }),
      /gateway/,
    ],
    [
      'an unknown service',
      () => JSON.stringify({ ...ledgerOf('CHECKOUT'), services: { db: {} } }),
      /unknown service/,
    ],
    ['a foreign checkout id', () => JSON.stringify(ledgerOf('ffffffff')), /belongs to checkout ffffffff/],
    [
      'a future version',
      () => JSON.stringify({ ...ledgerOf('CHECKOUT'), version: 3 }),
      /newer nexu dev \(version 3\)/,
    ],
    ['an unknown backend', () => JSON.stringify({ ...ledgerOf('CHECKOUT'), backend: 'docker' }), /backend/],
  ])('a ledger file holding %s', (_name, content, problem) => {
    it('is ignored with a one-line problem naming the file, without throwing', async () => {
      await writeFile(checkout.ledgerPath, content().replaceAll('CHECKOUT', checkout.id));
      const result = await readLedger(checkout);
      expect(result.ledger).toBeNull();
      expect(result.problem).toMatch(/^ignoring \.tmp\/dev\/runtime\.json: /);
      expect(result.problem).toMatch(problem);
      expect(result.problem).not.toContain('\n');
    });
  });

  describe('written by this checkout at its previous location', () => {
    const others: Array<() => void> = [];
    afterEach(() => {
      for (const remove of others.splice(0)) remove();
    });
    const ledgerAt = (root: string): Ledger => ({ ...ledgerOf(checkoutIdFor(root)), root });

    it('comes back as the previous location when nothing lives there any more', async () => {
      const gone = join(dirname(checkout.root), 'where-it-was');
      await writeLedger(checkout, ledgerAt(gone));
      expect(await readLedger(checkout)).toEqual({
        ledger: null,
        previous: { checkoutId: checkoutIdFor(gone), root: gone, ledger: ledgerAt(gone) },
      });
    });

    it('is foreign when that checkout still lives there (this one is a copy of it)', async () => {
      const original = createTempCheckout({ services: false });
      others.push(original.remove);
      await writeLedger(checkout, ledgerAt(original.checkout.root));
      const result = await readLedger(checkout);
      expect(result).toEqual({ ledger: null, problem: expect.stringMatching(/still lives at .*copy/) });
      expect(result.problem).toContain(original.checkout.root);
    });

    it('is foreign when its recorded root does not hash to its id', async () => {
      const gone = join(dirname(checkout.root), 'where-it-was');
      await writeLedger(checkout, { ...ledgerOf('ffffffff'), root: gone });
      expect(await readLedger(checkout)).toEqual({
        ledger: null,
        problem: expect.stringMatching(/belongs to checkout ffffffff/),
      });
    });
  });

  it('refuses a ledger that gives two services one port', () => {
    const ledger = ledgerOf('abc');
    const gateway = ledger.services.gateway!;
    const raw = { ...ledger, services: { gateway, controller: { ...gateway, label: 'x' } } };
    expect(validateLedger(raw)).toEqual({ ok: false, reason: expect.stringMatching(/port 18789/) });
  });

  it('never trusts fields it does not know (they are dropped)', async () => {
    await writeFile(checkout.ledgerPath, JSON.stringify({ ...ledgerOf(checkout.id), extra: 'x' }));
    const { ledger } = await readLedger(checkout);
    expect(ledger).toEqual(ledgerOf(checkout.id));
    expect(await readFile(checkout.ledgerPath, 'utf8')).toContain('extra');
  });
});

describe('ledgerFor', () => {
  const checkout = checkoutAt('/src/nexu');
  const ledger = (backend: BackendName, id = checkout.id, root = checkout.root): Ledger => ({
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    checkoutId: id,
    root,
    backend,
    services: {
      gateway: {
        label: serviceLabel('gateway', id),
        port: 18789,
        pid: 4242,
        startTime: 'Mon Jan  1 00:00:00 2026',
        since: '2026-01-01T00:00:00.000Z',
        mode: 'started',
      },
    },
  });

  it("uses the checkout's own ledger only for the backend it was written for", () => {
    const own = ledger('systemd');
    expect(ledgerFor(checkout, 'systemd', { ledger: own })).toBe(own);
    expect(ledgerFor(checkout, 'process', { ledger: own })).toBeNull();
    expect(ledgerFor(checkout, 'systemd', { ledger: null })).toBeNull();
  });

  it("takes a moved checkout's ports under its new id and root, with no pid", () => {
    const old = checkoutAt('/src/old-nexu');
    const adopted = ledgerFor(checkout, 'process', {
      ledger: null,
      previous: { checkoutId: old.id, root: old.root, ledger: ledger('systemd', old.id, old.root) },
    });
    expect(adopted).toMatchObject({ checkoutId: checkout.id, root: checkout.root, backend: 'systemd' });
    expect(adopted?.services.gateway).toMatchObject({
      label: serviceLabel('gateway', checkout.id),
      port: 18789,
      pid: null,
      startTime: null,
    });
  });
});
