import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processIdentity } from '../os/process-identity.js';
import { SERVICES, serviceEntry } from '../services/manifest.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { checkoutBuildsCheck } from './checkout-builds-check.js';
import { checkoutLedgerCheck } from './checkout-ledger-check.js';
import { checkoutLockCheck } from './checkout-lock-check.js';
import { checkoutStateCheck } from './checkout-state-check.js';
import type { CheckResult } from './doctor-check.js';
import { runDoctor } from './run-doctor.js';

const temps: TempCheckout[] = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.remove();
});

const byId = (checks: readonly CheckResult[], id: string) => checks.find((check) => check.id === id);

describe('the checkout checks', () => {
  it('a lock left by a dead pid is stale, and the fix says the next command takes it over', async () => {
    const temp = createTempCheckout({ services: false });
    temps.push(temp);
    const { checkout } = temp;
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(await processIdentity(dead)).toBeNull();
    mkdirSync(checkout.stateDir, { recursive: true });
    const record = { pid: dead, startTime: '4242', command: 'pnpm start', at: '2026-01-01T00:00:00.000Z' };
    writeFileSync(checkout.lockPath, JSON.stringify(record));
    const { checks } = await runDoctor({ checkout, checks: [checkoutLockCheck] });
    expect(byId(checks, 'checkout.lock')).toEqual({
      id: 'checkout.lock',
      status: 'warn',
      finding: `stale: .tmp/dev/lock was left by pid ${dead} (pnpm start, 2026-01-01T00:00:00.000Z), which is gone`,
      fix: 'Nothing to do: the next pnpm start or stop takes a stale lock over (or `rm .tmp/dev/lock`).',
    });
  });

  it('a lock held by a live command names its pid and how to end it', async () => {
    const temp = createTempCheckout({ services: false });
    temps.push(temp);
    const { checkout } = temp;
    const me = await processIdentity(process.pid);
    mkdirSync(checkout.stateDir, { recursive: true });
    const record = { pid: process.pid, startTime: me!.startTime, command: 'pnpm stop', at: 'now' };
    writeFileSync(checkout.lockPath, JSON.stringify(record));
    const [check] = (await runDoctor({ checkout, checks: [checkoutLockCheck] })).checks;
    expect(check?.status).toBe('warn');
    expect(check?.finding).toBe(
      `held by pid ${process.pid} (pnpm stop) since now: other commands wait for it or stop`,
    );
    expect(check?.fix).toContain(`kill ${process.pid}`);
  });

  it('a corrupt ledger is a finding with its fix, not a crash', async () => {
    const temp = createTempCheckout({ services: false });
    temps.push(temp);
    const { checkout } = temp;
    mkdirSync(checkout.stateDir, { recursive: true });
    writeFileSync(checkout.ledgerPath, '{"version": 1, "checkoutId": ');
    const [check] = (await runDoctor({ checkout, checks: [checkoutLedgerCheck] })).checks;
    expect(check).toMatchObject({
      id: 'checkout.ledger',
      status: 'warn',
      finding: 'ignoring .tmp/dev/runtime.json: not valid JSON (corrupt or truncated)',
    });
    expect(check?.fix).toContain('pnpm start ignores it and writes a valid one');
  });

  it('a units folder that is a file is a finding with its fix (a way out that loses nothing)', async () => {
    const temp = createTempCheckout({ services: false });
    temps.push(temp);
    const { checkout } = temp;
    mkdirSync(checkout.stateDir, { recursive: true });
    const healthy = (await runDoctor({ checkout, checks: [checkoutStateCheck] })).checks[0];
    expect(healthy?.status).toBe('ok');
    writeFileSync(checkout.unitsDir, 'not a folder');
    const [check] = (await runDoctor({ checkout, checks: [checkoutStateCheck] })).checks;
    expect(check).toEqual({
      id: 'checkout.state',
      status: 'fail',
      finding: ".tmp/dev/units is not a folder: no service's unit, state or log can be read or written there",
      fix: 'Move it aside (`mv ".tmp/dev/units" ".tmp/dev/units.moved"`), then run pnpm start: it writes the folder again.',
    });
  });

  it('a source newer than its build makes that build stale, naming the file', async () => {
    const temp = createTempCheckout();
    temps.push(temp);
    const { checkout } = temp;
    // Built after every source, whatever was edited in the checkout the copy was made from.
    const builtAt = new Date(Date.now() + 30_000);
    for (const spec of SERVICES) utimesSync(serviceEntry(spec, checkout), builtAt, builtAt);
    const fresh = await runDoctor({ checkout, checks: [checkoutBuildsCheck] });
    expect(fresh.checks).toEqual([
      {
        id: 'checkout.builds',
        status: 'ok',
        finding: 'builds are fresh (gateway, controller, web)',
        fix: null,
      },
    ]);
    const source = join(checkout.root, 'apps/controller/src/main.ts');
    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    const { checks } = await runDoctor({ checkout, checks: [checkoutBuildsCheck] });
    expect(checks).toEqual([
      {
        id: 'checkout.builds.controller',
        status: 'warn',
        finding: `controller's build is stale: apps/controller/src/main.ts changed since`,
        fix: 'Nothing to do: pnpm start builds it first (or `pnpm build` now).',
      },
    ]);
  });
});
