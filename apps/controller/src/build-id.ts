import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A short sha256 of the running module's own file (dist/main.js once built), so every rebuild that
 * changes the bundle shows a new id. `unknown` when the file cannot be read.
 */
export function readBuildId(moduleUrl: string): string {
  try {
    return createHash('sha256')
      .update(readFileSync(fileURLToPath(moduleUrl)))
      .digest('hex')
      .slice(0, 12);
  } catch {
    return 'unknown';
  }
}
