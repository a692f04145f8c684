import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutIdFor, ROOT_MARKER } from './checkout.js';

/**
 * Whether a checkout still is where it was: `live` (its root is still a checkout with that id),
 * `deleted` (the root is gone) or `moved` (the root exists but is no checkout now, or its real path
 * is another checkout's: a symlink to where it went, say).
 */
export type CheckoutPresence = 'live' | 'deleted' | 'moved';

/** Where checkout `id`, recorded at `root`, stands now (reads the file system only). */
export function checkoutPresence(root: string, id: string): CheckoutPresence {
  let real: string;
  try {
    real = realpathSync(root);
  } catch {
    return 'deleted';
  }
  if (!existsSync(join(real, ROOT_MARKER))) return 'moved';
  return checkoutIdFor(real) === id ? 'live' : 'moved';
}
