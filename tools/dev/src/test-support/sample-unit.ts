import type { UnitSpec } from '../supervisor/supervisor.js';

/** A unit whose every path and value carries the characters renderers must quote. */
export function sampleUnit(overrides: Partial<UnitSpec> = {}): UnitSpec {
  const root = '/home/dév/nexu "dev" 100% \\ tree';
  return {
    service: 'gateway',
    label: 'io.nexu.gateway.ab12cd34.dev',
    checkoutId: 'ab12cd34',
    argv: ['/usr/bin/node', `${root}/apps/gateway/dist/main.js`, '--flag=$HOME'],
    cwd: `${root}/apps/gateway`,
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      NEXU_HOME: `${root}/.tmp/dev/nexu-home`,
      PORT: '18789',
      NEXU_DEV_INSTANCE: 'ab12cd34',
      GREETING: 'say "hi" it\'s 50% off\\now $USER ünïcödé',
      MULTI: 'line1\nline2',
    },
    logPath: `${root}/.tmp/dev/nexu-home/logs/gateway.log`,
    port: 18789,
    ...overrides,
  };
}
