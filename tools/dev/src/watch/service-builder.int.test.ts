import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatBuildErrors } from './build-result.js';
import { createServiceBuilder, type ServiceBuilder } from './service-builder.js';

describe('createServiceBuilder', () => {
  let root: string;
  let builder: ServiceBuilder | undefined;
  const spec = { name: 'controller' as const, dir: 'apps/tiny' };
  const src = (file: string) => join(root, spec.dir, 'src', file);
  const dist = () => join(root, spec.dir, 'dist/main.js');

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-service-builder-'));
    await mkdir(join(root, spec.dir, 'src'), { recursive: true });
    await writeFile(src('main.ts'), "import { value } from './value.js';\nconsole.log(value);\n");
    await writeFile(src('value.ts'), "export const value: string = 'one';\n");
  });

  afterEach(async () => {
    await builder?.dispose();
    builder = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('builds, rebuilds an edit, keeps dist on a syntax error and recovers', async () => {
    builder = createServiceBuilder(spec, { root });
    await builder.warmUp();
    expect(existsSync(dist())).toBe(false);

    const first = await builder.build();
    expect(first).toMatchObject({ ok: true, changed: true });
    expect(await readFile(dist(), 'utf8')).toContain('"one"');
    expect(await readFile(`${dist()}.map`, 'utf8')).toContain('value.ts');

    await writeFile(src('value.ts'), "export const value: string = 'two';\n");
    expect(await builder.build()).toMatchObject({ ok: true, changed: true });
    expect(await readFile(dist(), 'utf8')).toContain('"two"');

    expect(await builder.build()).toMatchObject({ ok: true, changed: false });

    const good = await readFile(dist());
    await writeFile(src('value.ts'), "export const value: string = 'three'\nexport const = ;\n");
    const broken = await builder.build();
    expect(broken.ok).toBe(false);
    if (broken.ok) return;
    expect(broken.errors[0]).toMatchObject({ file: 'apps/tiny/src/value.ts', line: 2 });
    expect(broken.errors[0]?.text).toMatch(/Expected/);
    expect(formatBuildErrors(broken.errors)).toMatch(/^apps\/tiny\/src\/value\.ts:2:\d+: Expected/);
    expect((await readFile(dist())).equals(good)).toBe(true);

    await writeFile(src('value.ts'), "export const value: string = 'four';\n");
    expect(await builder.build()).toMatchObject({ ok: true, changed: true });
    expect(await readFile(dist(), 'utf8')).toContain('"four"');
  });

  it('dispose is idempotent and returns the same promise', async () => {
    builder = createServiceBuilder(spec, { root });
    await builder.build();
    const a = builder.dispose();
    expect(builder.dispose()).toBe(a);
    await a;
    expect((await builder.build()).ok).toBe(false);
  });
});
