import { describe, expect, it } from 'vitest';
import { resolveControllerConfig } from './config.js';

const base = { NEXU_HOME: '/h', PORT: '18790' };

describe('resolveControllerConfig', () => {
  it('reads the gateway URL and optional token', () => {
    const result = resolveControllerConfig({
      ...base,
      NEXU_GATEWAY_URL: 'ws://127.0.0.1:18789/ws',
      NEXU_GATEWAY_TOKEN: 't',
    });
    expect(result).toEqual({
      ok: true,
      config: {
        service: 'controller',
        nexuHome: '/h',
        port: 18790,
        instance: null,
        gatewayUrl: 'ws://127.0.0.1:18789/ws',
        gatewayToken: 't',
      },
    });
  });

  it.each([
    [{}, /NEXU_GATEWAY_URL is not set/],
    [{ NEXU_GATEWAY_URL: 'not a url' }, /NEXU_GATEWAY_URL is not a valid URL/],
    [{ NEXU_GATEWAY_URL: 'http://127.0.0.1:1/ws' }, /NEXU_GATEWAY_URL must use ws: or wss:/],
  ])('rejects gateway settings %j', (extra, reason) => {
    const result = resolveControllerConfig({ ...base, ...extra });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('checks NEXU_HOME and PORT before the gateway URL', () => {
    const result = resolveControllerConfig({ PORT: '1', NEXU_GATEWAY_URL: 'ws://127.0.0.1:1/ws' });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^NEXU_HOME is not set/) });
  });
});
