import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCheckout } from '../checkout/checkout.js';
import { resolveServiceBuildOptions } from './service-build-options.js';
import { createServiceBuilder } from './service-builder.js';

const bin = join(resolveCheckout().root, 'tools/dev/bin/build-service.mjs');
const runBin = (cwd: string) => promisify(execFile)(process.execPath, [bin], { cwd });

describe('service build options shared by pnpm build and the watcher', () => {
  let root: string;
  const svc = (file = '') => join(root, 'svc', file);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-build-options-'));
    await mkdir(svc('src'), { recursive: true });
    const manifest = { type: 'module', dependencies: { ws: '^8', '@nexu/kit': 'workspace:*' } };
    await writeFile(svc('package.json'), JSON.stringify(manifest));
    await writeFile(svc('src/main.ts'), "import { value } from './value.js';\nconsole.log(value);\n");
    await writeFile(svc('src/value.ts'), "export const value = 'v';\n");
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps npm dependencies external and bundles workspace packages', () => {
    const options = resolveServiceBuildOptions({ dir: 'svc' }, { root });
    expect(options.external).toEqual(['ws']);
    expect(options.outfile).toBe(svc('dist/main.js'));
    expect(options).toMatchObject({
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
    });
  });

  it('the CLI run by pnpm build writes exactly what the incremental builder writes', async () => {
    await runBin(svc());
    const fromCli = await readFile(svc('dist/main.js'));
    const builder = createServiceBuilder({ name: 'controller', dir: 'svc' }, { root });
    try {
      expect(await builder.build()).toMatchObject({ ok: true, changed: false });
    } finally {
      await builder.dispose();
    }
    expect((await readFile(svc('dist/main.js'))).equals(fromCli)).toBe(true);
  });

  it('the CLI exits non-zero and prints the error on a broken build', async () => {
    await writeFile(svc('src/value.ts'), 'export const value = ;\n');
    const failure = await runBin(svc()).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('src/value.ts:1:');
  });
});
