import { createSupervisor } from '../supervisor/select-supervisor.js';
import { type CheckResult, type DoctorCheck, fail, ok, warn } from './doctor-check.js';

const CONTAINER = '`pnpm exec tsx scripts/systemd-user-manager.ts start` (containers, CI)';

/**
 * systemd --user (Linux): `XDG_RUNTIME_DIR`, whether the user manager answers over its bus (the
 * backend's own preflight), lingering (`loginctl show-user`: without it units stop at logout), and
 * the manager's environment variables the services do not get (units carry their own environment).
 */
export const systemdCheck: DoctorCheck = {
  id: 'systemd',
  async run({ checkout, platform, runner, env }) {
    if (platform.platform !== 'linux') return [];
    const lines: CheckResult[] = [];
    if (env.XDG_RUNTIME_DIR) lines.push(ok('systemd.runtime-dir', `XDG_RUNTIME_DIR=${env.XDG_RUNTIME_DIR}`));
    else if (platform.runtimeDir)
      lines.push(ok('systemd.runtime-dir', `XDG_RUNTIME_DIR is not set; ${platform.runtimeDir} is used`));
    else
      lines.push(
        fail(
          'systemd.runtime-dir',
          `XDG_RUNTIME_DIR is not set and /run/user/${platform.uid} does not exist: no systemd user session`,
          `Log in through a session (or \`loginctl enable-linger $USER\`), or ${CONTAINER}.`,
        ),
      );
    const preflight = await createSupervisor('systemd', { checkout, platform, runner }).preflight();
    if (!preflight.ok) {
      lines.push(
        warn(
          'systemd.manager',
          `no systemd user manager answers, so pnpm start uses the process backend: ${preflight.reason}`,
          `\`loginctl enable-linger $USER\` and log in again, or ${CONTAINER}.`,
        ),
      );
      return lines;
    }
    lines.push(ok('systemd.manager', `the user manager answers over its bus (${platform.runtimeDir})`));
    const [linger, environment] = await Promise.all([
      runner(['loginctl', 'show-user', String(platform.uid), '-p', 'Linger', '--value'], {
        env: platform.systemctlEnv,
      }),
      runner(['systemctl', '--user', 'show-environment'], { env: platform.systemctlEnv }),
    ]);
    const answer = linger.stdout.trim();
    if (linger.exitCode === 0 && answer === 'yes')
      lines.push(ok('systemd.linger', 'lingering is on: units outlive your logout'));
    else if (linger.exitCode === 0 && answer === 'no')
      lines.push(
        warn(
          'systemd.linger',
          'lingering is off: your services stop when you log out of your last session',
          'loginctl enable-linger $USER',
        ),
      );
    else
      lines.push(
        ok(
          'systemd.linger',
          `lingering unknown: \`loginctl show-user\` answered ${linger.stderr.trim().split('\n')[0] || `exit ${linger.exitCode}`}`,
        ),
      );
    if (environment.exitCode === 0) {
      const names = environment.stdout
        .split('\n')
        .map((line) => line.split('=')[0] ?? '')
        .filter(Boolean);
      lines.push(
        ok(
          'systemd.environment',
          names.length === 0
            ? "the manager's environment is empty"
            : `the manager's environment (${names.join(', ')}) does not reach the services: each unit sets its own`,
        ),
      );
    }
    return lines;
  },
};
