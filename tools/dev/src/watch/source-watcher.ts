import { basename, relative, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { ServiceName } from '../services/manifest.js';
import { servicesForPath, type WatchTarget } from './watch-targets.js';

/** Options of `startSourceWatcher`. */
export interface SourceWatcherOptions {
  /** Repo root: ignore rules apply to paths relative to it. */
  root: string;
  targets: readonly WatchTarget[];
  /** Called once per service a changed file belongs to. */
  onChange: (service: ServiceName, path: string) => void;
}

/** A running watcher over the services' sources. */
export interface SourceWatcher {
  /** Stops watching and releases every handle; idempotent, returns the same promise. */
  close(): Promise<void>;
}

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

/**
 * Watches the targets with native events (no polling), ignoring existing files at start; resolves
 * once the initial scan is done, so an edit made after it is reported. Every save is reported:
 * chokidar (6+) holds a change that comes within 50 ms of the last one it reported for a path and
 * reports it when that window ends, so a save right after another (format-on-save) still wins.
 */
export async function startSourceWatcher(options: SourceWatcherOptions): Promise<SourceWatcher> {
  const paths = [...new Set(options.targets.flatMap((t) => t.paths))];
  const watcher: FSWatcher = watch(paths, {
    ignoreInitial: true,
    usePolling: false,
    ignored: (path: string) => isIgnoredPath(options.root, path),
  });
  const report = (path: string) => {
    for (const service of servicesForPath(path, options.targets)) options.onChange(service, path);
  };
  watcher.on('all', (event, path) => {
    if (event !== 'add' && event !== 'change' && event !== 'unlink') return;
    report(path);
  });
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', resolve);
    watcher.once('error', reject);
  });
  let closed: Promise<void> | undefined;
  return {
    close() {
      closed ??= (async () => {
        await watcher.close();
      })();
      return closed;
    },
  };
}
