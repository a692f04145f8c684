import { mkdirSync, renameSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { checkoutIdFor } from './checkout.js';
import { checkoutPresence } from './checkout-presence.js';

describe('checkoutPresence', () => {
  const temps: TempCheckout[] = [];
  afterEach(() => {
    for (const temp of temps.splice(0)) temp.remove();
  });
  const open = () => {
    const temp = createTempCheckout({ services: false });
    temps.push(temp);
    return temp.checkout;
  };

  it('is live while the checkout is where it was', () => {
    const { root, id } = open();
    expect(checkoutPresence(root, id)).toBe('live');
  });

  it('is deleted once the root is gone (moved away without a trace, or removed)', () => {
    const { root, id } = open();
    renameSync(root, join(dirname(root), 'elsewhere'));
    expect(checkoutPresence(root, id)).toBe('deleted');
  });

  it('is moved when the root is a plain folder now, or leads to another checkout', () => {
    const { root, id } = open();
    const moved = join(dirname(root), 'moved');
    renameSync(root, moved);
    mkdirSync(root);
    expect(checkoutPresence(root, id)).toBe('moved');
    const link = join(dirname(root), 'link');
    symlinkSync(moved, link);
    expect(checkoutPresence(link, checkoutIdFor(link))).toBe('moved');
    expect(checkoutPresence(moved, checkoutIdFor(moved))).toBe('live');
  });
});
