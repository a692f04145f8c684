import { type FSWatcher, watch } from 'chokidar';
import type { ServiceName } from '../services/manifest.js';
import { isIgnoredPath } from './is-ignored-path.js';
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
