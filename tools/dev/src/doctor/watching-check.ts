import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBytes } from '../format/format-bytes.js';
import { SERVICES } from '../services/manifest.js';
import { isIgnoredPath } from '../watch/is-ignored-path.js';
import { resolveWatchTargets } from '../watch/watch-targets.js';
import { type CheckResult, type DoctorCheck, fail, ok, warn } from './doctor-check.js';

/** Files and folders under `paths` that the watch session watches (what it ignores left out). */
export async function countWatchedFiles(root: string, paths: readonly string[]): Promise<number> {
  const seen = new Set<string>();
  const visit = async (path: string): Promise<void> => {
    if (seen.has(path) || isIgnoredPath(root, path)) return;
    seen.add(path);
    const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
    if (entries === null) return;
    await Promise.all(entries.map((entry) => visit(join(path, entry.name))));
  };
  await Promise.all(
    paths.map(async (path) => ((await stat(path).catch(() => null)) ? visit(path) : undefined)),
  );
  return seen.size;
}

const readNumber = async (path: string): Promise<number | null> => {
  const text = await readFile(path, 'utf8').catch(() => null);
  const value = text === null ? Number.NaN : Number(text.trim());
  return Number.isFinite(value) ? value : null;
};

/** Processes that hold an inotify instance while `pnpm start` watches: the session and the web server's live reload. */
const INSTANCES_NEEDED = 2;

/**
 * Watching: the files the watch session would watch (its own targets) against Linux's inotify
 * limits (`fs.inotify.max_user_watches`, `max_user_instances`), and the size of the log folder.
 */
export const watchingCheck: DoctorCheck = {
  id: 'watching',
  async run({ checkout, platform, procRoot }) {
    const lines: CheckResult[] = [];
    const targets = resolveWatchTargets(SERVICES, checkout);
    const count = await countWatchedFiles(checkout.root, [...new Set(targets.flatMap((t) => t.paths))]);
    if (platform.platform === 'linux') {
      const dir = join(procRoot, 'sys', 'fs', 'inotify');
      const [watches, instances] = await Promise.all([
        readNumber(join(dir, 'max_user_watches')),
        readNumber(join(dir, 'max_user_instances')),
      ]);
      const raise = (name: string, value: number) =>
        `\`sudo sysctl fs.inotify.${name}=${value}\` (to keep it: \`echo fs.inotify.${name}=${value} | sudo tee /etc/sysctl.d/60-inotify.conf\`)`;
      if (watches === null)
        lines.push(
          ok('watching.inotify-watches', `watches ${count} files (fs.inotify.max_user_watches unreadable)`),
        );
      else if (count >= watches)
        lines.push(
          fail(
            'watching.inotify-watches',
            `the watch session watches ${count} files, more than fs.inotify.max_user_watches (${watches}): watching fails with ENOSPC`,
            raise('max_user_watches', Math.max(524_288, count * 4)),
          ),
        );
      else if (count * 2 > watches)
        lines.push(
          warn(
            'watching.inotify-watches',
            `the watch session watches ${count} files, over half of fs.inotify.max_user_watches (${watches}), which every program of this user shares`,
            raise('max_user_watches', Math.max(524_288, count * 4)),
          ),
        );
      else
        lines.push(
          ok('watching.inotify-watches', `watches ${count} files (fs.inotify.max_user_watches ${watches})`),
        );
      if (instances !== null && instances < INSTANCES_NEEDED)
        lines.push(
          fail(
            'watching.inotify-instances',
            `fs.inotify.max_user_instances is ${instances}; watching needs ${INSTANCES_NEEDED} (the session and the web server's live reload)`,
            raise('max_user_instances', 128),
          ),
        );
      else if (instances !== null)
        lines.push(
          ok(
            'watching.inotify-instances',
            `fs.inotify.max_user_instances ${instances} (watching needs ${INSTANCES_NEEDED})`,
          ),
        );
    } else lines.push(ok('watching.files', `watches ${count} files`));
    const logs = await readdir(checkout.logsDir).catch(() => [] as string[]);
    const sizes = await Promise.all(
      logs.map((name) =>
        stat(join(checkout.logsDir, name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    lines.push(
      ok(
        'watching.logs',
        `logs take ${formatBytes(total)} (${logs.length} files; each is cut to 2 MiB past 10 MiB)`,
      ),
    );
    return lines;
  },
};
