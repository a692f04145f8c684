import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseServiceLabel } from '../checkout/service-identity.js';
import type { UnitRef } from './supervisor.js';

/**
 * Units of `checkoutId` among the `io.nexu.<service>.<checkoutId>.dev<suffix>` files in `dir`;
 * `readPort` finds a unit's port in its file (undefined when it cannot).
 */
export async function listUnitFiles(
  dir: string,
  suffix: string,
  checkoutId: string,
  readPort: (path: string) => Promise<number | undefined>,
): Promise<UnitRef[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const units: UnitRef[] = [];
  for (const name of names) {
    if (!name.endsWith(suffix)) continue;
    const label = name.slice(0, -suffix.length);
    const parsed = parseServiceLabel(label);
    if (parsed?.checkoutId !== checkoutId) continue;
    const port = await readPort(join(dir, name));
    units.push({ label, service: parsed.service, checkoutId, ...(port !== undefined ? { port } : {}) });
  }
  return units;
}
