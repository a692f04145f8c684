import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../os/command-runner.js';
import { parseLaunchctlPrint } from '../supervisor/parse-launchctl-print.js';
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
 * services), leaving out those it is unloading with their process gone: a stop returns while
 * launchd still drains a label for 3-5 s (docs/platform.md), which is no leftover.
 */
export async function loadedLaunchdLabels(checkoutId: string, platform: ResolvedPlatform): Promise<string[]> {
  const labels = await listLoadedLaunchdLabels(checkoutId, platform);
  const left = await Promise.all(labels.map((label) => isStillLoaded(label, platform)));
  return labels.filter((_, index) => left[index]);
}

/**
 * Whether launchd still has `label` loaded for good: not when it is gone by now (its drain ended
 * since it was listed), nor while it unloads it with its process gone (`state = SIGTERMed`, no pid).
 */
async function isStillLoaded(label: string, platform: ResolvedPlatform): Promise<boolean> {
  for (const domain of new Set([platform.launchdDomain.domain, platform.guiDomain, platform.userDomain])) {
    const result = await runCommand([platform.launchctlPath, 'print', `${domain}/${label}`]);
    if (result.exitCode !== 0) continue;
    const print = parseLaunchctlPrint(result.stdout);
    return !(print?.state === 'SIGTERMed' && print.pid === null);
  }
  return false;
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
