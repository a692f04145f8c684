import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** A fresh temp file name beside `path` (same filesystem, so the rename is atomic). */
function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
  const temp = tempBeside(path);
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

/**
 * `writeFileAtomic` for a program that must write before it goes on or exits (the process keeper,
 * the crash-loop guard preloaded into a service): synchronous, into an existing folder (a missing
 * one fails with ENOENT and is never created), not fsynced (state that is rewritten on every change).
 */
export function writeFileAtomicSync(path: string, data: string, options: { mode?: number } = {}): void {
  const temp = tempBeside(path);
  try {
    writeFileSync(temp, data, { flag: 'wx', mode: options.mode ?? 0o600 });
    chmodSync(temp, options.mode ?? 0o600);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
