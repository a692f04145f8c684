import { describe, expect, it } from 'vitest';
import { type DevServiceStatus, type DevStatusFile, parseDevStatusFile, viewOf } from './dev-status.js';

const controller: DevServiceStatus = {
  name: 'controller',
  state: 'running',
  healthy: true,
  pid: 4242,
  port: 18790,
  startedAt: '2026-01-01T00:00:00.000Z',
  restarts: 0,
  activity: null,
  lastReload: { what: 'controller', at: '2026-01-01T00:00:01.000Z', ok: true, durationMs: 289, error: null },
  buildFailures: [
    {
      what: 'controller',
      at: '2026-01-01T00:00:02.000Z',
      errors: [{ file: 'apps/controller/src/revision.ts', line: 1, column: 27, text: 'Unexpected ";"' }],
    },
  ],
  crash: null,
};
const file: DevStatusFile = {
  version: 1,
  watcher: { pid: 1234, startTime: '98765', startedAt: '2026-01-01T00:00:00.000Z' },
  updatedAt: '2026-01-01T00:00:03.000Z',
  backend: 'systemd',
  services: [controller],
};

describe('parseDevStatusFile', () => {
  it('accepts a status file and gives a page nothing of the watcher', () => {
    const parsed = parseDevStatusFile(JSON.parse(JSON.stringify(file)));
    expect(parsed).toEqual({ ok: true, status: file });
    if (parsed.ok)
      expect(viewOf(parsed.status)).toEqual({
        watching: true,
        backend: 'systemd',
        updatedAt: file.updatedAt,
        services: [controller],
      });
  });

  it('copies out only the fields of its shape', () => {
    const extra = {
      ...file,
      token: 'secret',
      services: [{ ...controller, env: { NEXU_GATEWAY_TOKEN: 'secret' } }],
    };
    const parsed = parseDevStatusFile(extra);
    expect(JSON.stringify(parsed)).not.toContain('secret');
  });

  it('cuts long texts and long lists', () => {
    const long = {
      ...file,
      services: [
        {
          ...controller,
          crash: { reason: 'x', message: 'm'.repeat(10_000), location: null, lines: Array(500).fill('l') },
        },
      ],
    };
    const parsed = parseDevStatusFile(long);
    expect(parsed.ok && parsed.status.services[0]?.crash?.message?.length).toBeLessThan(2_100);
    expect(parsed.ok && parsed.status.services[0]?.crash?.lines).toHaveLength(40);
  });

  it.each([
    [null, 'the status file is not an object'],
    [{ ...file, version: 2 }, 'version 2 is not 1'],
    [{ ...file, watcher: { pid: 'x' } }, 'watcher.pid is not a number'],
    [{ ...file, services: [{ ...controller, state: 'exploded' }] }, 'services[0].state is not one of'],
    [
      {
        ...file,
        services: [{ ...controller, buildFailures: [{ what: 'x', at: 'y', errors: [{ text: 1 }] }] }],
      },
      'services[0].buildFailures[0].errors[0].text is not a string',
    ],
  ])('refuses %j and says why', (value, reason) => {
    const parsed = parseDevStatusFile(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});
