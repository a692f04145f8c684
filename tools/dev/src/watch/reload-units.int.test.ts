import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCheckout } from '../checkout/checkout.js';
import type { ReloadEvent } from './reload-event.js';
import { createReloadUnits, type ReloadUnit } from './reload-units.js';

describe('createReloadUnits', () => {
  let root: string;
  let units: ReloadUnit[] = [];
  const hooks = {
    restartService: async () => 'restarted' as const,
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

  it('reports what a Node unit does as events: build, restart, reload; a failed build; an unchanged one; a failed restart', async () => {
    await writeFile(join(root, 'api/package.json'), '{"type":"module"}');
    await mkdir(join(root, 'api/src'));
    const events: ReloadEvent[] = [];
    let restartError: Error | undefined;
    units = createReloadUnits(
      { name: 'controller', dir: 'api' },
      { root },
      {
        ...hooks,
        restartService: async () => {
          if (restartError) throw restartError;
          return 'restarted' as const;
        },
        onEvent: (event) => events.push(event),
      },
    );
    const [unit] = units;
    const kinds = () =>
      events
        .splice(0)
        .map((e) => ('errors' in e ? `${e.kind} ${e.errors[0]?.file}:${e.errors[0]?.line}` : e.kind));

    await writeFile(join(root, 'api/src/main.ts'), 'export const a = 1;\n');
    await unit?.reload();
    expect(kinds()).toEqual(['building', 'restarting', 'reloaded']);
    await unit?.reload();
    expect(kinds()).toEqual(['building', 'built']);
    await writeFile(join(root, 'api/src/main.ts'), 'export const a = ;\n');
    await unit?.reload();
    expect(kinds()).toEqual(['building', 'build-failed api/src/main.ts:1']);
    await writeFile(join(root, 'api/src/main.ts'), 'export const a = 2;\n');
    restartError = new Error('Unable to start controller: it hit the crash loop');
    await unit?.reload();
    expect(events.map((e) => e.kind)).toEqual(['building', 'restarting', 'reload-failed']);
    expect(events.at(-1)).toEqual({
      kind: 'reload-failed',
      service: 'controller',
      what: 'controller',
      message: 'Unable to start controller: it hit the crash loop',
    });
  });

  it('reports nothing for a restart cancelled because the session is ending', async () => {
    await writeFile(join(root, 'api/package.json'), '{"type":"module"}');
    await mkdir(join(root, 'api/src'));
    await writeFile(join(root, 'api/src/main.ts'), 'export const a = 1;\n');
    const events: ReloadEvent[] = [];
    const lines: string[] = [];
    units = createReloadUnits(
      { name: 'controller', dir: 'api' },
      { root },
      {
        ...hooks,
        restartService: async () => 'cancelled' as const,
        log: (_service, line) => lines.push(line),
        onEvent: (event) => events.push(event),
      },
    );
    await units[0]?.reload();
    expect(events.map((e) => e.kind)).toEqual(['building', 'restarting']);
    expect(lines).toEqual([]);
  });
});
