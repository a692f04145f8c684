import { join } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';

/** `<nexuHome>/logs/<service>.log`: stdout and stderr of one service, appended by every backend. */
export function serviceLogPath(checkout: Checkout, service: string): string {
  return join(checkout.logsDir, `${service}.log`);
}

/** The log of the background watch session of `pnpm start --detach` (`watch.log`), shown as `watch`. */
export const WATCH_LOG_NAME = 'watch';
