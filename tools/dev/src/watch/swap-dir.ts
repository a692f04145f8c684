import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

const sameContent = async (a: string, b: string) => {
  const [x, y] = await Promise.all([readFile(a), readFile(b).catch(() => undefined)]);
  return y !== undefined && x.equals(y);
};

/**
 * Moves the files of `staging` into `target` one rename at a time, so `target` (and its inode, which
 * a live-reload watcher may be watching) stays in place and no reader ever sees a half-written file.
 * Assets go first and `.html` last: a page loading mid-swap never references an asset not there
 * yet. Unchanged files are not touched (no spurious reload); files gone from the build are removed
 * last. Returns the number of files written or removed.
 */
export async function swapDirContents(staging: string, target: string): Promise<number> {
  const next = await listFiles(staging);
  const previous = await listFiles(target);
  const ordered = [...next].sort((a, b) => Number(a.endsWith('.html')) - Number(b.endsWith('.html')));
  let changes = 0;
  for (const file of ordered) {
    const from = join(staging, file);
    const to = join(target, file);
    if (await sameContent(from, to)) continue;
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
    changes += 1;
  }
  const keep = new Set(next);
  for (const file of previous) {
    if (keep.has(file)) continue;
    await rm(join(target, file), { force: true });
    changes += 1;
  }
  await rm(staging, { recursive: true, force: true });
  return changes;
}
