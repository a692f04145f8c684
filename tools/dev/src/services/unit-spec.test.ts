import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutAt } from '../checkout/checkout.js';
import { SERVICES } from './manifest.js';
import { DEV_STATUS_FILE_ENV, resolveUnitSpec } from './unit-spec.js';

// A fixed id keeps the labels below readable.
const checkout = { ...checkoutAt('/work/nexu'), id: 'ab12cd34' };
const ports = { gateway: 18789, controller: 18790, web: 18791 };
const unitOf = (name: string) =>
  resolveUnitSpec(SERVICES.find((s) => s.name === name)!, checkout, ports, {
    nodePath: '/usr/bin/node',
    extraEnv: {},
  });

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('resolveUnitSpec', () => {
  it('runs every service with source maps enabled', () => {
    for (const spec of SERVICES) {
      expect(unitOf(spec.name).argv).toEqual([
        '/usr/bin/node',
        '--enable-source-maps',
        `/work/nexu/${spec.dir}/dist/main.js`,
      ]);
    }
  });

  it('tells only the web server where the watch session status file is', () => {
    expect(unitOf('web').env[DEV_STATUS_FILE_ENV]).toBe('/work/nexu/.tmp/dev/dev-status.json');
    expect(unitOf('controller').env[DEV_STATUS_FILE_ENV]).toBeUndefined();
    expect(unitOf('gateway').env[DEV_STATUS_FILE_ENV]).toBeUndefined();
  });
});
