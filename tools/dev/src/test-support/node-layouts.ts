import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A temp folder to build node installations in for real (folders, files, symlinks as each version
 * manager makes them): `file` and `link` take paths relative to `root`; `remove` deletes it all.
 */
export function createNodeLayouts(): {
  readonly root: string;
  file(path: string, text?: string, mode?: number): string;
  link(path: string, target: string): string;
  remove(): void;
} {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'nexu-node-layouts-')));
  const place = (path: string) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    return full;
  };
  return {
    root,
    /** A file at `path` (a stand-in binary or shim). */
    file(path, text = '', mode = 0o755) {
      const full = place(path);
      writeFileSync(full, text, { mode });
      return full;
    },
    /** A symlink at `path` to `target` (relative as the tools write them, or absolute). */
    link(path, target) {
      const full = place(path);
      symlinkSync(target, full);
      return full;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
