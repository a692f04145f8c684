import { basename, relative, sep } from 'node:path';

const IGNORED_DIRS = new Set(['dist', 'node_modules', '.tmp', '.git', '.turbo', 'coverage']);
// vim swap/backup (`.x.swp`, `x~`, its `4913` write probe), emacs locks (`.#x`), generic temp files
// (also the sibling temp files of our own atomic writes).
const IGNORED_FILE = /(\.sw[a-p]|\.swpx|~|\.tmp)$|^\.#|^4913$/;

/** True for paths no rebuild should follow: build output, dependencies, state, editor temp files. */
export function isIgnoredPath(root: string, path: string): boolean {
  const rel = relative(root, path);
  if (rel.split(sep).some((segment) => IGNORED_DIRS.has(segment))) return true;
  return IGNORED_FILE.test(basename(path));
}
