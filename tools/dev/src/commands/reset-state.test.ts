import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Checkout, resolveCheckout } from '../checkout/checkout.js';
import { type ResetStateOptions, resetState } from './reset-state.js';

let base: string;
let checkout: Checkout;
let outside: string;
let output: string[];
let stops: Array<{ stateDirExisted: boolean }>;
let questions: string[];

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'reset-state-'));
  const root = join(base, 'checkout');
  mkdirSync(root);
  writeFileSync(join(root, 'pnpm-workspace.yaml'), '');
  checkout = resolveCheckout(root);
  outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'precious.txt'), 'keep me');
  output = [];
  stops = [];
  questions = [];
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

function makeState(): void {
  mkdirSync(checkout.logsDir, { recursive: true });
  mkdirSync(checkout.unitsDir, { recursive: true });
  writeFileSync(join(checkout.logsDir, 'gateway.log'), 'x'.repeat(2048));
  writeFileSync(checkout.ledgerPath, '{}');
}

function reset(options: Partial<ResetStateOptions> = {}) {
  return resetState({
    checkout,
    stop: async () => {
      stops.push({ stateDirExisted: existsSync(checkout.stateDir) });
    },
    yes: true,
    isTTY: false,
    confirm: async (question) => {
      questions.push(question);
      return false;
    },
    out: (line) => output.push(line),
    ...options,
  });
}

const outsideIntact = () => readFileSync(join(outside, 'precious.txt'), 'utf8') === 'keep me';

describe('resetState', () => {
  it('stops the services first, then removes .tmp/dev and says what it removed', async () => {
    makeState();
    const result = await reset();
    expect(result).toEqual({
      ok: true,
      outcome: 'removed',
      removed: expect.arrayContaining(['nexu-home', 'units', 'runtime.json']),
      bytes: 2050,
    });
    expect(stops).toEqual([{ stateDirExisted: true }]);
    expect(existsSync(checkout.stateDir)).toBe(false);
    expect(existsSync(checkout.tmpDir)).toBe(true);
    expect(output.join('\n')).toMatch(/^Removed .*\.tmp\/dev \(.*nexu-home.*; 2\.0 KiB\)\.$/);
  });

  it('refuses when .tmp/dev is a symlink to an outside folder, and that folder and its files survive', async () => {
    mkdirSync(checkout.tmpDir);
    symlinkSync(outside, checkout.stateDir);
    const result = await reset();
    expect(result).toMatchObject({ ok: false, reason: 'unsafe' });
    expect(!result.ok && result.message).toContain(`symlink to ${outside}`);
    expect(stops).toEqual([]);
    expect(outsideIntact()).toBe(true);
    expect(lstatSync(checkout.stateDir).isSymbolicLink()).toBe(true);
  });

  it('refuses when .tmp itself is a symlink to somewhere outside the checkout', async () => {
    mkdirSync(join(outside, 'dev'));
    symlinkSync(outside, checkout.tmpDir);
    expect(await reset()).toMatchObject({ ok: false, reason: 'unsafe' });
    expect(existsSync(join(outside, 'dev'))).toBe(true);
    expect(outsideIntact()).toBe(true);
  });

  it('refuses when nexu-home is a symlink outside the checkout, and the target survives', async () => {
    mkdirSync(checkout.stateDir, { recursive: true });
    symlinkSync(outside, checkout.nexuHome);
    const result = await reset();
    expect(result).toMatchObject({ ok: false, reason: 'unsafe' });
    expect(!result.ok && result.message).toContain(`${checkout.nexuHome} is a symlink to ${outside}`);
    expect(stops).toEqual([]);
    expect(outsideIntact()).toBe(true);
  });

  it('removes a deeper symlink without following it, so its outside target survives', async () => {
    mkdirSync(checkout.nexuHome, { recursive: true });
    symlinkSync(outside, checkout.logsDir);
    expect(await reset()).toMatchObject({ ok: true, outcome: 'removed' });
    expect(existsSync(checkout.stateDir)).toBe(false);
    expect(outsideIntact()).toBe(true);
  });

  it('refuses without a terminal and without --yes, and neither stops nor deletes anything', async () => {
    makeState();
    const result = await reset({ yes: false, isTTY: false });
    expect(result).toMatchObject({ ok: false, reason: 'needs-confirmation' });
    expect(!result.ok && result.message).toContain('pass --yes to confirm');
    expect(stops).toEqual([]);
    expect(questions).toEqual([]);
    expect(existsSync(join(checkout.logsDir, 'gateway.log'))).toBe(true);
  });

  it('on a terminal lists what will be removed with its size and keeps everything when the answer is no', async () => {
    makeState();
    const result = await reset({ yes: false, isTTY: true });
    expect(result).toMatchObject({ ok: false, reason: 'declined' });
    expect(questions).toHaveLength(1);
    expect(output.join('\n')).toMatch(/nexu-home\s+2\.0 KiB/);
    expect(output.join('\n')).toMatch(/total\s+2\.0 KiB/);
    expect(stops).toEqual([]);
    expect(existsSync(checkout.ledgerPath)).toBe(true);
  });

  it('on a terminal removes the state after a yes', async () => {
    makeState();
    const result = await reset({ yes: false, isTTY: true, confirm: async () => true });
    expect(result).toMatchObject({ ok: true, outcome: 'removed' });
    expect(stops).toHaveLength(1);
    expect(existsSync(checkout.stateDir)).toBe(false);
  });

  it('says there is nothing to remove when .tmp/dev does not exist', async () => {
    expect(await reset({ yes: false })).toEqual({ ok: true, outcome: 'nothing-to-remove' });
    expect(output.join('\n')).toContain('Nothing to remove');
  });
});
