import { symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempCheckout, removeTempDir } from '../ports/testing/spawn-listener.js';
import { resolveCheckout } from './checkout.js';

describe('resolveCheckout', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeTempDir));
  });

  it('gives two checkouts different ids and different homes', async () => {
    const a = await makeTempCheckout();
    const b = await makeTempCheckout();
    dirs.push(a.dir, b.dir);
    expect(a.checkout.id).not.toBe(b.checkout.id);
    expect(a.checkout.nexuHome).not.toBe(b.checkout.nexuHome);
    expect(a.checkout.stateDir).not.toBe(b.checkout.stateDir);
  });

  it('gives the same checkout the same id and paths every time, also from a subfolder', async () => {
    const a = await makeTempCheckout();
    dirs.push(a.dir);
    expect(resolveCheckout(a.dir)).toEqual(a.checkout);
    expect(resolveCheckout(join(a.dir, 'apps', 'missing-but-inside'))).toEqual(a.checkout);
  });

  it('gives a symlinked path to a checkout the same id as its real path', async () => {
    const a = await makeTempCheckout();
    const link = `${a.dir}-link`;
    dirs.push(a.dir, link);
    await symlink(a.dir, link);
    expect(resolveCheckout(link).id).toBe(a.checkout.id);
    expect(resolveCheckout(link).root).toBe(a.dir);
  });

  it('keeps every state path inside the checkout and never under the packaged ~/.nexu', async () => {
    const a = await makeTempCheckout();
    dirs.push(a.dir);
    const { root, ...paths } = a.checkout;
    for (const [key, value] of Object.entries(paths)) {
      if (key === 'id') continue;
      expect(value.startsWith(`${root}/.tmp`)).toBe(true);
      expect(value.startsWith(join(homedir(), '.nexu'))).toBe(false);
    }
  });
});
