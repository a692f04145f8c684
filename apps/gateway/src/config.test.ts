import { describe, expect, it } from 'vitest';
import { resolveGatewayConfig } from './config.js';

describe('resolveGatewayConfig', () => {
  it('reads NEXU_HOME, PORT, NEXU_DEV_INSTANCE and the optional token', () => {
    const result = resolveGatewayConfig({
      NEXU_HOME: '/h',
      PORT: '18789',
      NEXU_DEV_INSTANCE: 'ab12',
      NEXU_GATEWAY_TOKEN: 's',
    });
    expect(result).toEqual({
      ok: true,
      config: { service: 'gateway', nexuHome: '/h', port: 18789, instance: 'ab12', token: 's' },
    });
  });

  it('treats an unset instance and token as null', () => {
    const result = resolveGatewayConfig({ NEXU_HOME: '/h', PORT: '1' });
    expect(result.ok && result.config.instance).toBeNull();
    expect(result.ok && result.config.token).toBeNull();
  });

  it.each([
    [{ PORT: '1' }, /NEXU_HOME is not set/],
    [{ NEXU_HOME: 'relative', PORT: '1' }, /NEXU_HOME must be an absolute path/],
    [{ NEXU_HOME: '/h' }, /PORT is not set/],
    [{ NEXU_HOME: '/h', PORT: 'abc' }, /PORT must be an integer 1-65535, got "abc"/],
    [{ NEXU_HOME: '/h', PORT: '70000' }, /PORT must be an integer 1-65535, got "70000"/],
    [{ NEXU_HOME: '/h', PORT: '0' }, /PORT must be an integer/],
    [{ NEXU_HOME: '/h', PORT: '80.5' }, /PORT must be an integer/],
  ])('rejects %j with a one-line reason', (env, reason) => {
    const result = resolveGatewayConfig(env);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(reason);
      expect(result.reason).not.toContain('\n');
    }
  });
});
