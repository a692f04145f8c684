import { execFile } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { findRepoRoot } from '../checkout/checkout.js';
import { createTempCheckout, type TempCheckout } from './temp-checkout.js';

const run = promisify(execFile);

describe('createTempCheckout', () => {
  let temp: TempCheckout | undefined;

  afterEach(() => {
    temp?.remove();
    temp = undefined;
  });

  it('resolves workspace packages to their copies and npm packages to the real ones', () => {
    temp = createTempCheckout();
    const root = temp.checkout.root;
    const resolved = (path: string) => realpathSync(join(root, path));
    expect(resolved('apps/controller/node_modules/@nexu/service-kit')).toBe(
      realpathSync(join(root, 'tools/service-kit')),
    );
    expect(resolved('apps/web/node_modules/@nexu/service-kit')).toBe(
      realpathSync(join(root, 'tools/service-kit')),
    );
    expect(resolved('apps/controller/node_modules/ws')).toBe(
      realpathSync(join(findRepoRoot(import.meta.dirname), 'apps/controller/node_modules/ws')),
    );
  });

  it('builds a service in place with its own build script, as `pnpm start` does when dist/ is stale', async () => {
    temp = createTempCheckout();
    const dir = join(temp.checkout.root, 'apps/gateway');
    const built = await run(process.execPath, ['../../tools/dev/bin/build-service.mjs'], { cwd: dir });
    expect(built.stderr).toBe('');
    expect(statSync(join(dir, 'dist/main.js')).mtimeMs).toBeGreaterThan(
      statSync(join(dir, 'src/main.ts')).mtimeMs,
    );
  });
});
