import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { runCommand } from '../os/command-runner.js';
import { type PlatformOptions, type ResolvedPlatform, resolvePlatform } from '../supervisor/platform.js';
import { FAKE_LAUNCHCTL } from './fake-launchd-env.js';

/** Whether launchd is played by the fake launchctl here (everywhere but on a Mac). */
export const usesFakeLaunchctl = process.platform !== 'darwin';

/**
 * The platform the launchd backend runs on in tests: the real launchctl (and lsof, ps) on a Mac,
 * the fake launchctl elsewhere. The one place tests branch on the operating system for launchd.
 */
export function launchdTestPlatform(options: PlatformOptions = {}): ResolvedPlatform {
  if (!usesFakeLaunchctl) return resolvePlatform(options);
  chmodSync(FAKE_LAUNCHCTL, 0o755);
  return resolvePlatform({ platform: 'darwin', launchctlPath: FAKE_LAUNCHCTL, ...options });
}

/** Gives the fake launchd of this test process its own state folder (no-op on a Mac). */
export function useFakeLaunchdState(dir: string): void {
  if (!usesFakeLaunchctl) return;
  mkdirSync(dir, { recursive: true });
  process.env.FAKE_LAUNCHCTL_STATE = dir;
}

/**
 * Labels carrying `checkoutId` that launchd still has loaded (fake: its jobs; Mac: the domain's
 * services) once the drains under way ended: a stop returns while launchd still unloads a label
 * for 3-5 s (docs/platform.md), which is not a leftover. Waits at most `drainMs` for them.
 */
export async function loadedLaunchdLabels(
  checkoutId: string,
  platform: ResolvedPlatform,
  drainMs = 8000,
): Promise<string[]> {
  const settled = await waitFor(
    async () => {
      const labels = await listLoadedLaunchdLabels(checkoutId, platform);
      return labels.length === 0 ? labels : undefined;
    },
    { timeoutMs: drainMs, maxIntervalMs: 250 },
  );
  return settled.ok ? settled.value : listLoadedLaunchdLabels(checkoutId, platform);
}

async function listLoadedLaunchdLabels(checkoutId: string, platform: ResolvedPlatform): Promise<string[]> {
  if (usesFakeLaunchctl) {
    const jobs = join(process.env.FAKE_LAUNCHCTL_STATE ?? '/nonexistent', 'jobs');
    const names = (() => {
      try {
        return readdirSync(jobs);
      } catch {
        return [];
      }
    })();
    return names
      .filter((name) => name.endsWith('.json') && name.includes(checkoutId))
      .map((name) => name.slice(0, -5));
  }
  const labels: string[] = [];
  for (const domain of new Set([platform.launchdDomain.domain, platform.guiDomain, platform.userDomain])) {
    const result = await runCommand([platform.launchctlPath, 'print', domain]);
    labels.push(...(result.stdout.match(new RegExp(`io\\.nexu\\.[\\w-]+\\.${checkoutId}\\.dev`, 'g')) ?? []));
  }
  return [...new Set(labels)];
}
