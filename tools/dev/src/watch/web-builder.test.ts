import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCheckout } from '../checkout/checkout.js';
import { formatBuildErrors } from './build-result.js';
import { createWebBuilder, type WebBuilder } from './web-builder.js';

const viteFrom = join(resolveCheckout().root, 'apps/web');

async function readBundle(dir: string): Promise<string> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')),
  );
  return texts.join('\n');
}

describe('createWebBuilder', () => {
  let root: string;
  let builder: WebBuilder | undefined;
  const spec = { dir: 'web' };
  const client = () => join(root, 'web/dist/client');
  const setText = (text: string) =>
    writeFile(join(root, 'web/src/text.ts'), `export const text = ${text};\n`);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-web-builder-'));
    await mkdir(join(root, 'web/src'), { recursive: true });
    await writeFile(
      join(root, 'web/index.html'),
      '<!doctype html><html><body><h1 id="t"></h1><script type="module" src="/src/main.ts"></script></body></html>\n',
    );
    await writeFile(
      join(root, 'web/src/main.ts'),
      "import { text } from './text.js';\ndocument.getElementById('t')!.textContent = text;\n",
    );
    await setText("'first text'");
  });

  afterEach(async () => {
    await builder?.dispose();
    builder = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('builds, rebuilds a text change, keeps the last good bundle when broken and recovers', async () => {
    builder = createWebBuilder(spec, { root }, { viteFrom });
    // Created, it holds nothing: Vite is loaded by the first build or warm-up.
    expect(builder.loaded()).toBe(false);
    await builder.warmUp();
    expect(builder.loaded()).toBe(true);
    expect(existsSync(client())).toBe(false);

    const first = await builder.build();
    expect(first).toMatchObject({ ok: true, loadedVite: false });
    console.log(`web build: after warm-up ${first.durationMs} ms`);
    expect(await readBundle(client())).toContain('first text');

    await setText("'second text'");
    const second = await builder.build();
    expect(second).toMatchObject({ ok: true });
    console.log(`web build: warm ${second.durationMs} ms`);
    const good = await readBundle(client());
    expect(good).toContain('second text');
    expect(good).not.toContain('first text');

    expect(await builder.build()).toMatchObject({ ok: true, changedFiles: 0 });

    await setText("'third' +");
    const broken = await builder.build();
    expect(broken.ok).toBe(false);
    if (broken.ok) return;
    expect(broken.errors[0]).toMatchObject({ file: 'web/src/text.ts', line: 1 });
    expect(formatBuildErrors(broken.errors)).toMatch(/^web\/src\/text\.ts:1:\d+: /);
    expect(await readBundle(client())).toBe(good);

    await setText("'fourth text'");
    expect(await builder.build()).toMatchObject({ ok: true });
    expect(await readBundle(client())).toContain('fourth text');
    // No staging folder left; the build stamp (see recordBuilt) says the page is current.
    expect(await readdir(join(root, 'web/dist'))).toEqual(['.built-dist-client', 'client']);
  });

  it('loads Vite with its first build, which also serves the page', async () => {
    builder = createWebBuilder(spec, { root }, { viteFrom });
    expect(builder.loaded()).toBe(false);
    expect(await builder.build()).toMatchObject({ ok: true, loadedVite: true });
    expect(builder.loaded()).toBe(true);
    expect(await readBundle(client())).toContain('first text');
    await setText("'second text'");
    expect(await builder.build()).toMatchObject({ ok: true, loadedVite: false });
    expect(await readBundle(client())).toContain('second text');
  });

  it('reports a vite that fails to load as a failed build, and holds nothing', async () => {
    const vite = join(root, 'broken/node_modules/vite');
    await mkdir(vite, { recursive: true });
    await writeFile(join(root, 'broken/package.json'), '{}');
    await writeFile(join(vite, 'package.json'), '{"name":"vite","type":"module","main":"index.js"}');
    await writeFile(join(vite, 'index.js'), "throw new Error('vite failed to load');\n");
    builder = createWebBuilder(spec, { root }, { viteFrom: join(root, 'broken') });
    const built = await builder.build();
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(formatBuildErrors(built.errors)).toContain('vite failed to load');
    expect(builder.loaded()).toBe(false);
  });
});
