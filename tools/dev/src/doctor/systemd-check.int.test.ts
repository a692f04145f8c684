import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolvePlatform } from '../supervisor/platform.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { backendChoiceCheck } from './backend-choice-check.js';
import { runDoctor } from './run-doctor.js';
import { systemdCheck } from './systemd-check.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function openCheckout(): TempCheckout {
  const temp = createTempCheckout({ services: false });
  cleanups.push(() => temp.remove());
  return temp;
}

describe('the systemd check', () => {
  it('with no user manager behind XDG_RUNTIME_DIR, says start uses the process backend and how to get one', async () => {
    const { checkout } = openCheckout();
    const runtimeDir = mkdtempSync(join(tmpdir(), 'nexu-doctor-runtime-'));
    cleanups.push(() => rmSync(runtimeDir, { recursive: true, force: true }));
    const env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir, NEXU_DEV_BACKEND: '' };
    const { checks } = await runDoctor({
      checkout,
      env,
      checks: [backendChoiceCheck, systemdCheck],
      platform: resolvePlatform({ platform: 'linux', env }),
    });
    const manager = checks.find((c) => c.id === 'systemd.manager');
    expect(manager?.status).toBe('warn');
    expect(manager?.finding).toMatch(
      /^no systemd user manager answers, so pnpm start uses the process backend: `systemctl --user` cannot reach a user manager/,
    );
    expect(manager?.fix).toBe(
      '`loginctl enable-linger $USER` and log in again, or `pnpm exec tsx scripts/systemd-user-manager.ts start` (containers, CI).',
    );
    expect(checks.find((c) => c.id === 'backend.choice')?.finding).toBe(
      'pnpm start would use process (systemd cannot run here)',
    );
    expect(checks.find((c) => c.id === 'backend.systemd')?.status).toBe('warn');
  });

  it('with neither XDG_RUNTIME_DIR nor /run/user/<uid>, fails: there is no user session', async () => {
    const { checkout } = openCheckout();
    const env = { ...process.env, XDG_RUNTIME_DIR: '' };
    const { checks } = await runDoctor({
      checkout,
      env,
      checks: [systemdCheck],
      platform: resolvePlatform({ platform: 'linux', env, uid: 987_654 }),
    });
    expect(checks.find((c) => c.id === 'systemd.runtime-dir')).toMatchObject({
      status: 'fail',
      finding: 'XDG_RUNTIME_DIR is not set and /run/user/987654 does not exist: no systemd user session',
    });
    expect(checks.find((c) => c.id === 'systemd.manager')?.status).toBe('warn');
  });
});
