import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteFileAtomicOptions {
  /** File mode (default 0600: state and units may carry secrets). */
  mode?: number;
  /** fsync before the rename so the new content survives a crash (default true; build outputs skip it). */
  durable?: boolean;
  /** Create the folder when missing (default true); false fails with ENOENT instead. */
  createDir?: boolean;
}

/**
 * Writes `data` to `path` atomically: a fresh temp file in the same directory (so rename stays on
 * one filesystem), then rename over the target. Readers see the old or the new file, never half.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const { mode = 0o600, durable = true, createDir = true } = options;
  const dir = dirname(path);
  if (createDir) await mkdir(dir, { recursive: true });
  // A fresh name ('wx'): a leftover temp file of a crashed run would keep its old, wider mode.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is narrowed by the umask; make it exact.
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
