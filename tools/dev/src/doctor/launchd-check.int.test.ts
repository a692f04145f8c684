import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveCheckout } from '../checkout/checkout.js';
import { serviceLabel } from '../checkout/service-identity.js';
import { runCommand } from '../os/command-runner.js';
import { launchdTestPlatform, useFakeLaunchdState } from '../test-support/launchd-test-platform.js';
import { backendChoiceCheck } from './backend-choice-check.js';
import { launchdCheck } from './launchd-check.js';
import { runDoctor } from './run-doctor.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A temp folder playing the user's home, with a checkout at `<home>/<where>`. */
function homeWithCheckout(where: string) {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'nexu-doctor-home-')));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const root = join(home, where);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'pnpm-workspace.yaml'), '');
  useFakeLaunchdState(join(home, 'launchd'));
  return { home, checkout: resolveCheckout(root) };
}

const uid = process.getuid?.() ?? 0;

describe('the launchd check (through the fake launchctl)', () => {
  it('a checkout in ~/Documents: start uses the process backend, and the fix gives both ways out', async () => {
    const { home, checkout } = homeWithCheckout('Documents/GitHub/nexu');
    const platform = launchdTestPlatform({ home });
    const { checks } = await runDoctor({
      checkout,
      platform,
      nodePath: '/opt/homebrew/opt/node/bin/node',
      env: { ...process.env, NEXU_DEV_BACKEND: '' },
      checks: [backendChoiceCheck, launchdCheck],
    });
    expect(checks.find((c) => c.id === 'launchd.folder')).toEqual({
      id: 'launchd.folder',
      status: 'warn',
      finding: `the checkout lies in ~/Documents (${home}/Documents): LaunchAgents cannot read it without a privacy grant, so pnpm start uses the process backend`,
      fix: 'LaunchAgents cannot read ~/Documents without a privacy grant: add /opt/homebrew/opt/node/bin/node under System Settings > Privacy & Security > Full Disk Access (or Files and Folders), or move the checkout out of ~/Documents.',
    });
    expect(checks.find((c) => c.id === 'backend.choice')?.finding).toBe(
      'pnpm start would use process (launchd cannot run here)',
    );
  });

  it('over SSH with nobody at the console: agents go to user/<uid>, and the fix says where to run instead', async () => {
    const { home, checkout } = homeWithCheckout('src/nexu');
    vi.stubEnv('FAKE_LAUNCHCTL_SESSION', 'ssh');
    const platform = launchdTestPlatform({
      home,
      // consoleUid null: nobody at the console (root owns it; the tests may run as root themselves).
      session: { uid, euid: uid, consoleUid: null, ssh: true, sudoUser: null, superuser: false },
    });
    const { checks } = await runDoctor({ checkout, platform, checks: [launchdCheck] });
    expect(checks.find((c) => c.id === 'launchd.domain')).toEqual({
      id: 'launchd.domain',
      status: 'warn',
      finding: `using user/${uid} (over SSH with nobody logged in at the console): agents run without the GUI session's privacy grants and keychain`,
      fix: 'Nothing blocks pnpm start; to run them in your GUI session, run pnpm from a terminal on the Mac while you are logged in at its screen (not over SSH or sudo).',
    });
    expect(checks.find((c) => c.id === 'launchd.folder')?.status).toBe('ok');
  });

  it('a label of this checkout disabled in launchd is named with the command that enables it', async () => {
    const { home, checkout } = homeWithCheckout('src/nexu');
    const platform = launchdTestPlatform({ home });
    const label = serviceLabel('controller', checkout.id);
    await runCommand([platform.launchctlPath, 'disable', `gui/${uid}/${label}`]);
    const { checks } = await runDoctor({ checkout, platform, checks: [launchdCheck] });
    expect(checks.find((c) => c.id === 'launchd.disabled')).toMatchObject({
      status: 'warn',
      fix: `launchctl enable gui/${uid}/${label}`,
    });
  });

  it('a launchctl that hangs is a failed line within the deadline, not a hang', async () => {
    const { home, checkout } = homeWithCheckout('src/nexu');
    const hanging = join(home, 'launchctl');
    writeFileSync(hanging, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hanging, 0o755);
    const platform = launchdTestPlatform({ home, launchctlPath: hanging });
    const { checks } = await runDoctor({ checkout, platform, checks: [launchdCheck], commandTimeoutMs: 300 });
    const domain = checks.find((c) => c.id === 'launchd.domain');
    expect(domain?.status).toBe('fail');
    expect(domain?.finding).toContain('timed out after 300 ms');
    expect(domain?.fix).toContain('NEXU_DEV_BACKEND=process');
  });
});
