import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIgnoredPath } from './is-ignored-path.js';
import { type SourceWatcher, startSourceWatcher } from './source-watcher.js';
import { resolveWatchTargets, servicesForPath } from './watch-targets.js';

const watchHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;

describe('startSourceWatcher', () => {
  let root: string;
  let watcher: SourceWatcher | undefined;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-source-watcher-'));
    for (const dir of ['svc/src/deep', 'svc/dist', 'svc/node_modules/x', 'svc/src/.tmp', 'other/src']) {
      await mkdir(join(root, dir), { recursive: true });
    }
    await writeFile(join(root, 'svc/src/main.ts'), '1');
  });

  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('reports edits under src, not under dist/, node_modules/, .tmp/ or editor temp files', async () => {
    const baseline = watchHandles();
    const targets = resolveWatchTargets(
      [
        { name: 'controller', dir: 'svc', watchPaths: ['svc/src', 'svc/dist', 'svc/node_modules'] },
        { name: 'gateway', dir: 'other', watchPaths: ['other/src'] },
      ],
      { root },
    );
    const seen: string[] = [];
    watcher = await startSourceWatcher({
      root,
      targets,
      onChange: (service, path) => seen.push(`${service} ${path}`),
    });

    for (const file of [
      'svc/dist/main.js',
      'svc/node_modules/x/index.js',
      'svc/src/.tmp/state',
      'svc/src/.main.ts.swp',
      'svc/src/main.ts~',
      'svc/src/.#main.ts',
      'svc/src/4913',
      'svc/src/main.ts.123.tmp',
    ]) {
      await writeFile(join(root, file), 'ignored');
    }
    await writeFile(join(root, 'svc/src/main.ts'), '2');
    await writeFile(join(root, 'svc/src/deep/new.ts'), 'new');

    const expected = [
      `controller ${join(root, 'svc/src/main.ts')}`,
      `controller ${join(root, 'svc/src/deep/new.ts')}`,
    ];
    const both = await waitFor(() => expected.every((e) => seen.includes(e)), { timeoutMs: 10_000 });
    expect(both.ok).toBe(true);
    expect([...new Set(seen)].sort()).toEqual([...expected].sort());

    const closing = watcher.close();
    expect(watcher.close()).toBe(closing);
    await closing;
    expect((await waitFor(() => watchHandles() <= baseline, { timeoutMs: 5_000 })).ok).toBe(true);
  });

  it('reports a save made right after a reported one (inside the change throttle of chokidar)', async () => {
    const main = join(root, 'svc/src/main.ts');
    const seen: string[] = [];
    watcher = await startSourceWatcher({
      root,
      targets: resolveWatchTargets([{ name: 'controller', dir: 'svc', watchPaths: ['svc/src'] }], { root }),
      onChange: (_service, path) => seen.push(path),
    });
    await writeFile(main, '2');
    expect((await waitFor(() => seen.includes(main), { timeoutMs: 10_000 })).ok).toBe(true);
    // Straight away: inside chokidar's 50 ms throttle window of the change it just reported.
    const before = seen.length;
    await writeFile(main, '3');
    expect((await waitFor(() => seen.length > before, { timeoutMs: 5_000 })).ok).toBe(true);
    expect(seen.every((path) => path === main)).toBe(true);
  });
});

describe('resolveWatchTargets', () => {
  it('adds the src/ and package.json of workspace packages a service depends on', async () => {
    const root = await mkdtemp(join(tmpdir(), 'nexu-watch-targets-'));
    try {
      await mkdir(join(root, 'packages/shared/src'), { recursive: true });
      await mkdir(join(root, 'svc/node_modules/@x'), { recursive: true });
      await symlink(join(root, 'packages/shared'), join(root, 'svc/node_modules/@x/shared'));
      const deps = { dependencies: { '@x/shared': 'workspace:*', ws: '^8' } };
      await writeFile(join(root, 'svc/package.json'), JSON.stringify(deps));
      const [target] = resolveWatchTargets([{ name: 'controller', dir: 'svc', watchPaths: ['svc/src'] }], {
        root,
      });
      expect(target?.paths).toEqual([
        join(root, 'svc/src'),
        join(root, 'packages/shared/src'),
        join(root, 'packages/shared/package.json'),
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('isIgnoredPath / servicesForPath', () => {
  it.each([
    ['apps/x/dist/main.js', true],
    ['apps/x/node_modules/a/b.js', true],
    ['.tmp/dev/runtime.json', true],
    ['apps/x/src/a.ts.swp', true],
    ['apps/x/src/a.ts~', true],
    ['apps/x/src/.#a.ts', true],
    ['apps/x/src/4913', true],
    ['apps/x/src/a.tmp', true],
    ['apps/x/src/a.ts', false],
    ['apps/x/src/distance.ts', false],
  ])('%s ignored: %s', (path, ignored) => {
    expect(isIgnoredPath('/repo', `/repo/${path}`)).toBe(ignored);
  });

  it('maps a shared path to every service that watches it', () => {
    const targets = [
      { service: 'gateway' as const, paths: ['/r/apps/gateway/src', '/r/packages/shared/src'] },
      { service: 'controller' as const, paths: ['/r/apps/controller/src', '/r/packages/shared/src'] },
    ];
    expect(servicesForPath('/r/packages/shared/src/a.ts', targets)).toEqual(['gateway', 'controller']);
    expect(servicesForPath('/r/apps/controller/src/a.ts', targets)).toEqual(['controller']);
    expect(servicesForPath('/r/apps/controller/srcx/a.ts', targets)).toEqual([]);
  });
});
