import { rm, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { resolveCheckout } from './checkout.js';

describe('resolveCheckout', () => {
  const temps: TempCheckout[] = [];
  const links: string[] = [];
  afterEach(async () => {
    for (const temp of temps.splice(0)) temp.remove();
    await Promise.all(links.splice(0).map((link) => rm(link, { force: true })));
  });
  const makeTempCheckout = () => {
    const temp = createTempCheckout({ services: false });
    temps.push(temp);
    return { dir: temp.checkout.root, checkout: temp.checkout };
  };

  it('gives two checkouts different ids and different homes', async () => {
    const a = makeTempCheckout();
    const b = makeTempCheckout();
    expect(a.checkout.id).not.toBe(b.checkout.id);
    expect(a.checkout.nexuHome).not.toBe(b.checkout.nexuHome);
    expect(a.checkout.stateDir).not.toBe(b.checkout.stateDir);
  });

  it('gives the same checkout the same id and paths every time, also from a subfolder', async () => {
    const a = makeTempCheckout();
    expect(resolveCheckout(a.dir)).toEqual(a.checkout);
    expect(resolveCheckout(join(a.dir, 'apps', 'missing-but-inside'))).toEqual(a.checkout);
  });

  it('gives a symlinked path to a checkout the same id as its real path', async () => {
    const a = makeTempCheckout();
    const link = `${a.dir}-link`;
    links.push(link);
    await symlink(a.dir, link);
    expect(resolveCheckout(link).id).toBe(a.checkout.id);
    expect(resolveCheckout(link).root).toBe(a.dir);
  });

  it('keeps every state path inside the checkout and never under the packaged ~/.nexu', async () => {
    const a = makeTempCheckout();
    const { root, ...paths } = a.checkout;
    for (const [key, value] of Object.entries(paths)) {
      if (key === 'id') continue;
      expect(value.startsWith(`${root}/.tmp`)).toBe(true);
      expect(value.startsWith(join(homedir(), '.nexu'))).toBe(false);
    }
  });
});
