import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRepoRoot } from '../checkout/checkout.js';
import { createTempCheckout, type TempCheckout } from './temp-checkout.js';

describe('createTempCheckout', () => {
  let temp: TempCheckout | undefined;

  afterEach(() => {
    temp?.remove();
    temp = undefined;
  });

  it('resolves workspace packages to their copies and npm packages to the real ones', () => {
    temp = createTempCheckout();
    const root = temp.checkout.root;
    const resolved = (path: string) => realpathSync(join(root, path));
    expect(resolved('apps/controller/node_modules/@nexu/service-kit')).toBe(
      realpathSync(join(root, 'tools/service-kit')),
    );
    expect(resolved('apps/web/node_modules/@nexu/service-kit')).toBe(
      realpathSync(join(root, 'tools/service-kit')),
    );
    expect(resolved('apps/controller/node_modules/ws')).toBe(
      realpathSync(join(findRepoRoot(import.meta.dirname), 'apps/controller/node_modules/ws')),
    );
  });
});
