import { join } from 'node:path';
import type { Checkout } from './checkout.js';

/**
 * `<stateDir>/dev-status.json`: what the watch session of `pnpm start` is doing (builds, reloads,
 * crashes, service facts), written atomically by the session and shown by the dashboard's server.
 */
export function devStatusPath(checkout: Pick<Checkout, 'stateDir'>): string {
  return join(checkout.stateDir, 'dev-status.json');
}
