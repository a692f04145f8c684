import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeLayouts } from '../test-support/node-layouts.js';
import { resolveNodePath } from './node-identity.js';

// Every layout is built for real in one temp dir.
const { root, file, link, remove } = createNodeLayouts();
afterAll(remove);

describe('node run through a shim or a per-shell folder, for real', () => {
  // A real node binary at an install path: a hard link of this one (a copy across file systems).
  const install = join(root, 'real/.asdf/installs/nodejs/20.19.0/bin/node');
  mkdirSync(dirname(install), { recursive: true });
  try {
    linkSync(process.execPath, install);
  } catch {
    copyFileSync(process.execPath, install);
    chmodSync(install, 0o755);
  }

  const runningNode = (program: string) =>
    execFileSync(program, ['-p', 'process.execPath'], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
    }).trim();

  it('an asdf-style shim script execs the install: the unit names the install', () => {
    const shim = file('real/.asdf/shims/node', `#!/bin/sh\nexec "${install}" "$@"\n`);
    expect(resolveNodePath(runningNode(shim))).toBe(install);
  });

  it('a folder of symlinks (as fnm or an editor puts first on PATH): the unit names the install', () => {
    const folder = link('real/fnm_multishells/777_1733212800000', dirname(dirname(install)));
    expect(resolveNodePath(runningNode(join(folder, 'bin/node')))).toBe(install);
  });
});
