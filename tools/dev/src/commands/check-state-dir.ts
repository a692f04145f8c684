import type { Dirent } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';

/** One direct child of `.tmp/dev` and its size on disk (symlinks counted as links, not followed). */
export interface StateEntry {
  readonly name: string;
  readonly bytes: number;
}

export type StateDirCheck =
  | { readonly ok: true; readonly exists: false }
  | {
      readonly ok: true;
      readonly exists: true;
      readonly entries: readonly StateEntry[];
      readonly totalBytes: number;
    }
  | { readonly ok: false; readonly message: string };

/** Whether `path` lies strictly inside `folder` (both absolute). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Checks that this checkout's `.tmp/dev` is safe to delete: `.tmp` really is `<root>/.tmp`
 * (not a symlink elsewhere), `.tmp/dev` is a real folder inside it (not a symlink at all), and no
 * direct child is a symlink leading outside `.tmp/dev` (a NEXU_HOME pointed at real data). Lists
 * the children with their sizes for the confirmation.
 */
export async function checkStateDir(checkout: Checkout): Promise<StateDirCheck> {
  const refuse = (what: string, fix: string) => ({
    ok: false as const,
    message: `Refusing to delete ${checkout.stateDir}: ${what}. ${fix}`,
  });
  const tmpReal = await realpathOrUndefined(checkout.tmpDir);
  if (tmpReal === undefined) return { ok: true, exists: false };
  if (tmpReal !== join(checkout.root, '.tmp')) {
    return refuse(
      `${checkout.tmpDir} resolves to ${tmpReal}, outside this checkout`,
      'reset-state only deletes state inside the checkout; remove or fix that link yourself.',
    );
  }
  const info = await lstatOrUndefined(checkout.stateDir);
  if (!info) return { ok: true, exists: false };
  if (info.isSymbolicLink()) {
    const target = await realpathOrUndefined(checkout.stateDir);
    return refuse(
      `it is a symlink to ${target ?? (await readlink(checkout.stateDir))}, not a folder of this checkout`,
      `If you made that link on purpose, remove the link itself (rm ${checkout.stateDir}) and run again.`,
    );
  }
  const stateReal = await realpath(checkout.stateDir);
  if (!isInside(stateReal, checkout.tmpDir)) {
    return refuse(`its real path ${stateReal} is outside ${checkout.tmpDir}`, 'Fix the path and run again.');
  }
  if (!info.isDirectory()) return { ok: true, exists: true, entries: [], totalBytes: info.size };

  const entries: StateEntry[] = [];
  for (const child of await readdir(checkout.stateDir, { withFileTypes: true })) {
    const path = join(checkout.stateDir, child.name);
    if (child.isSymbolicLink()) {
      const target = (await realpathOrUndefined(path)) ?? resolve(checkout.stateDir, await readlink(path));
      if (!isInside(target, stateReal)) {
        return refuse(
          `${path} is a symlink to ${target}, outside this checkout's state`,
          `Remove that link (rm ${path}) or move what it points to, then run again.`,
        );
      }
    }
    entries.push({ name: child.name, bytes: await sizeOf(path, child) });
  }
  return { ok: true, exists: true, entries, totalBytes: entries.reduce((sum, e) => sum + e.bytes, 0) };
}

/** Apparent size of a file or folder tree, never following symlinks. */
async function sizeOf(path: string, entry?: Dirent): Promise<number> {
  if (entry && !entry.isDirectory()) return (await lstatOrUndefined(path))?.size ?? 0;
  const info = await lstatOrUndefined(path);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const child of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    total += await sizeOf(join(path, child.name), child);
  }
  return total;
}

async function lstatOrUndefined(path: string) {
  return lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

async function realpathOrUndefined(path: string): Promise<string | undefined> {
  return realpath(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}
