import { mkdir } from 'node:fs/promises';
import type { Checkout } from './checkout.js';

/** Creates this checkout's state folders (`.tmp/dev`, NEXU_HOME, logs, units), owner-only when new. */
export async function ensureStateDirs(checkout: Checkout): Promise<void> {
  for (const dir of [checkout.stateDir, checkout.nexuHome, checkout.logsDir, checkout.unitsDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
}
