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

  it.each([
    [{}, /NEXU_CONTROLLER_URL is not set/],
    [{ NEXU_CONTROLLER_URL: 'ws://127.0.0.1:1' }, /NEXU_CONTROLLER_URL must use http:/],
  ])('rejects controller settings %j', (extra, reason) => {
    const result = resolveWebConfig({ NEXU_HOME: '/h', PORT: '1', ...extra });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
