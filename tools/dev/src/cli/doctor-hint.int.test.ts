import { describe, expect, it } from 'vitest';
import { CommandError } from '../os/command-runner.js';
import { ServiceStartError } from '../plan/service-start-error.js';
import { BackendUnavailableError, UnknownBackendError } from '../supervisor/supervisor-errors.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { createTempCheckout } from '../test-support/temp-checkout.js';
import { DOCTOR_HINT, doctorHint } from './doctor-hint.js';

describe('the doctor hint', () => {
  it('follows the failures doctor explains, and no others', () => {
    expect(doctorHint(new BackendUnavailableError('systemd', 'no user manager'))).toBe(DOCTOR_HINT);
    expect(doctorHint(new CommandError({ argv: ['launchctl'], exitCode: 5, stdout: '', stderr: '' }))).toBe(
      DOCTOR_HINT,
    );
    expect(doctorHint(new ServiceStartError('web', 'crash loop', { logTail: [], logPath: 'web.log' }))).toBe(
      DOCTOR_HINT,
    );
    expect(doctorHint(new UnknownBackendError('nope'))).toBeNull();
    expect(doctorHint(new Error('No pnpm-workspace.yaml found'))).toBeNull();
  });

  it('is the last line of a pnpm start whose backend fails its preflight', async () => {
    const temp = createTempCheckout({ services: false });
    try {
      const result = await spawnCli('start', ['--no-watch', '--backend', 'launchd'], {
        cwd: temp.checkout.root,
        env: { NEXU_DEV_LAUNCHCTL: '/nonexistent/launchctl' },
      }).done;
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-2)).toContain('The launchd backend is not available here');
      expect(lines.at(-1)).toBe(DOCTOR_HINT);
    } finally {
      temp.remove();
    }
  });
});
