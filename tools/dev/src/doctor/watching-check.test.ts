import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES } from '../services/manifest.js';
import { resolvePlatform } from '../supervisor/platform.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { resolveWatchTargets } from '../watch/watch-targets.js';
import { runDoctor } from './run-doctor.js';
import { countWatchedFiles, watchingCheck } from './watching-check.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A /proc root of the test's own whose inotify limits are the given ones. */
function fakeProcRoot(limits: { watches: number; instances: number }): string {
  const root = mkdtempSync(join(tmpdir(), 'nexu-doctor-proc-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'sys', 'fs', 'inotify');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'max_user_watches'), `${limits.watches}\n`);
  writeFileSync(join(dir, 'max_user_instances'), `${limits.instances}\n`);
  return root;
}

function openCheckout(): TempCheckout {
  const temp = createTempCheckout();
  cleanups.push(() => temp.remove());
  return temp;
}

describe('the watching check', () => {
  it('a watch limit below the files watched fails, and the fix names the sysctl', async () => {
    const { checkout } = openCheckout();
    const count = await countWatchedFiles(
      checkout.root,
      resolveWatchTargets(SERVICES, checkout).flatMap((t) => t.paths),
    );
    expect(count).toBeGreaterThan(10);
    const { checks } = await runDoctor({
      checkout,
      checks: [watchingCheck],
      platform: resolvePlatform({ platform: 'linux' }),
      procRoot: fakeProcRoot({ watches: 10, instances: 1 }),
    });
    const watches = checks.find((c) => c.id === 'watching.inotify-watches');
    expect(watches?.status).toBe('fail');
    expect(watches?.finding).toBe(
      `the watch session watches ${count} files, more than fs.inotify.max_user_watches (10): watching fails with ENOSPC`,
    );
    expect(watches?.fix).toMatch(/^`sudo sysctl fs\.inotify\.max_user_watches=524288`/);
    const instances = checks.find((c) => c.id === 'watching.inotify-instances');
    expect(instances?.status).toBe('fail');
    expect(instances?.fix).toMatch(/^`sudo sysctl fs\.inotify\.max_user_instances=128`/);
  });

  it('limits well above the files watched are ok', async () => {
    const { checkout } = openCheckout();
    const { checks } = await runDoctor({
      checkout,
      checks: [watchingCheck],
      platform: resolvePlatform({ platform: 'linux' }),
      procRoot: fakeProcRoot({ watches: 1_000_000, instances: 128 }),
    });
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(checks.map((c) => c.id)).toEqual([
      'watching.inotify-watches',
      'watching.inotify-instances',
      'watching.logs',
    ]);
  });
});
