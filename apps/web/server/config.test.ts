import { describe, expect, it } from 'vitest';
import { resolveWebConfig } from './config.js';

describe('resolveWebConfig', () => {
  it('reads the controller URL', () => {
    const result = resolveWebConfig({
      NEXU_HOME: '/h',
      PORT: '18791',
      NEXU_CONTROLLER_URL: 'http://127.0.0.1:18790',
    });
    expect(result.ok && result.config.controllerUrl.origin).toBe('http://127.0.0.1:18790');
  });

  it('reads the dev status file only when the orchestrator names one', () => {
    const env = { NEXU_HOME: '/h', PORT: '1', NEXU_CONTROLLER_URL: 'http://127.0.0.1:2' };
    const without = resolveWebConfig(env);
    expect(without.ok && without.config.devStatusFile).toBeNull();
    const dev = resolveWebConfig({ ...env, NEXU_DEV_STATUS_FILE: '/c/.tmp/dev/dev-status.json' });
    expect(dev.ok && dev.config.devStatusFile).toBe('/c/.tmp/dev/dev-status.json');
  });

  it.each([
    [{}, /NEXU_CONTROLLER_URL is not set/],
    [
      { NEXU_CONTROLLER_URL: 'http://127.0.0.1:2', NEXU_DEV_STATUS_FILE: 'dev-status.json' },
      /NEXU_DEV_STATUS_FILE must be an absolute path, got "dev-status.json"/,
    ],
    [{ NEXU_CONTROLLER_URL: 'ws://127.0.0.1:1' }, /NEXU_CONTROLLER_URL must use http:/],
  ])('rejects controller settings %j', (extra, reason) => {
    const result = resolveWebConfig({ NEXU_HOME: '/h', PORT: '1', ...extra });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
