import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCheckout } from '../checkout/checkout.js';
import { createReloadUnits, type ReloadUnit } from './reload-units.js';

describe('createReloadUnits', () => {
  let root: string;
  let units: ReloadUnit[] = [];
  const hooks = {
    restartService: async () => {},
    log: () => {},
    viteFrom: join(resolveCheckout().root, 'apps/web'),
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-reload-units-'));
    await mkdir(join(root, 'web'), { recursive: true });
    await mkdir(join(root, 'api'), { recursive: true });
    await writeFile(join(root, 'web/index.html'), '<!doctype html>');
  });

  afterEach(async () => {
    await Promise.all(units.map((u) => u.dispose()));
    units = [];
    await rm(root, { recursive: true, force: true });
  });

  it('routes a Vite service: server/ to the server, src/ to the client, shared code and package.json to both', () => {
    units = createReloadUnits({ name: 'web', dir: 'web' }, { root }, hooks);
    const [server, client] = units;
    const route = (path: string) => [server?.matches(join(root, path)), client?.matches(join(root, path))];
    expect(route('web/server/main.ts')).toEqual([true, false]);
    expect(route('web/src/title.ts')).toEqual([false, true]);
    expect(route('web/index.html')).toEqual([false, true]);
    expect(route('web/package.json')).toEqual([true, true]);
    expect(route('tools/kit/src/a.ts')).toEqual([true, true]);
  });

  it('gives any other service one unit for every change', () => {
    units = createReloadUnits({ name: 'controller', dir: 'api' }, { root }, hooks);
    expect(units).toHaveLength(1);
    expect(units[0]?.matches(join(root, 'api/src/a.ts'))).toBe(true);
  });
});
