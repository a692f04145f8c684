import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutAt } from './checkout.js';
import { ensureStateDirs } from './ensure-state-dirs.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function tempCheckout() {
  const root = mkdtempSync(join(tmpdir(), 'nexu-state-dirs-'));
  roots.push(root);
  return checkoutAt(root);
}

describe('ensureStateDirs', () => {
  it('creates every state folder, owner-only', async () => {
    const checkout = tempCheckout();
    await ensureStateDirs(checkout);
    for (const dir of [checkout.stateDir, checkout.nexuHome, checkout.logsDir, checkout.unitsDir]) {
      expect(statSync(dir).isDirectory()).toBe(true);
    }
    expect(statSync(checkout.unitsDir).mode & 0o777).toBe(0o700);
  });

  it('a file where the units folder belongs is an error naming it and how to move it aside, and stays as it was', async () => {
    const checkout = tempCheckout();
    mkdirSync(checkout.stateDir, { recursive: true });
    writeFileSync(checkout.unitsDir, 'mine');
    await expect(ensureStateDirs(checkout)).rejects.toThrow(
      '.tmp/dev/units (or a folder above it) is a file, not a folder: move it aside (`mv ".tmp/dev/units" ".tmp/dev/units.moved"`) and run the command again',
    );
    expect(statSync(checkout.unitsDir).isFile()).toBe(true);
  });
});
