import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../os/command-runner.js';
import { resolvePlatform } from './platform.js';
import { selectSupervisor } from './select-supervisor.js';
import { BackendUnavailableError, UnknownBackendError } from './supervisor-errors.js';

const checkout = { unitsDir: '/nonexistent/units' };
/** A runner where no systemd user manager answers. */
const noManager: CommandRunner = async (argv) => ({
  argv,
  exitCode: 1,
  stdout: '',
  stderr: 'Failed to connect to bus: No medium found',
});
const linux = (env: NodeJS.ProcessEnv = {}) =>
  resolvePlatform({ platform: 'linux', env: { XDG_RUNTIME_DIR: '/run/user/1000', ...env }, uid: 1000 });

describe('selectSupervisor', () => {
  it('rejects an unknown backend name and lists the valid ones', async () => {
    const error = await selectSupervisor({ checkout, backend: 'docker' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownBackendError);
    expect((error as Error).message).toMatch(/launchd, systemd, process/);
  });

  it('reads NEXU_DEV_BACKEND when no backend is given', async () => {
    const supervisor = await selectSupervisor({ checkout, env: { NEXU_DEV_BACKEND: 'process' } });
    expect(supervisor.backend).toBe('process');
  });

  it('fails an explicit choice that cannot run here, naming the fix', async () => {
    const error = await selectSupervisor({
      checkout,
      backend: 'systemd',
      runner: noManager,
      platform: linux(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/enable-linger|systemd-user-manager/);
  });

  it('falls back to the process backend on Linux without a user manager, and says why', async () => {
    const reasons: string[] = [];
    const supervisor = await selectSupervisor({
      checkout,
      runner: noManager,
      platform: linux(),
      env: {},
      onFallback: (reason) => reasons.push(reason),
    });
    expect(supervisor.backend).toBe('process');
    expect(reasons[0]).toMatch(/Failed to connect to bus/);
  });

  it('chooses systemd on Linux when the user manager answers', async () => {
    const running: CommandRunner = async (argv) => ({ argv, exitCode: 0, stdout: 'running\n', stderr: '' });
    const supervisor = await selectSupervisor({ checkout, runner: running, platform: linux(), env: {} });
    expect(supervisor.backend).toBe('systemd');
  });

  it('chooses launchd on macOS', async () => {
    const ok: CommandRunner = async (argv) => ({ argv, exitCode: 0, stdout: 'gui/501 = {\n}\n', stderr: '' });
    const supervisor = await selectSupervisor({
      checkout,
      runner: ok,
      platform: resolvePlatform({ platform: 'darwin', launchctlPath: process.execPath }),
      env: {},
    });
    expect(supervisor.backend).toBe('launchd');
  });

  it('uses the process backend elsewhere', async () => {
    const supervisor = await selectSupervisor({
      checkout,
      platform: resolvePlatform({ platform: 'freebsd' }),
      env: {},
    });
    expect(supervisor.backend).toBe('process');
  });
});
