import { mkdir } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Checkout } from './checkout.js';

/** Creates this checkout's state folders (`.tmp/dev`, NEXU_HOME, logs, units), owner-only when new. */
export async function ensureStateDirs(checkout: Checkout): Promise<void> {
  for (const dir of [checkout.stateDir, checkout.nexuHome, checkout.logsDir, checkout.unitsDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST' && error.code !== 'ENOTDIR') throw error;
      // A file where a folder of ours belongs (or above it): say which, and a way out that loses nothing.
      const name = relative(checkout.root, dir);
      throw new Error(
        `${name} (or a folder above it) is a file, not a folder: move it aside ` +
          `(\`mv "${name}" "${name}.moved"\`) and run the command again`,
      );
    });
  }
}
