import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeLayouts } from '../test-support/node-layouts.js';
import { classifyNodeInstall, isSameNode, nodeServicePath, resolveNodePath } from './node-identity.js';

// Every layout is built for real in one temp dir.
const { root, file, link, remove } = createNodeLayouts();
afterAll(remove);

describe('the path a unit runs node by', () => {
  it('Homebrew on Apple silicon: the opt link, from the Cellar binary or the bin link', () => {
    const cellar = file('opt/homebrew/Cellar/node/24.1.0/bin/node');
    link('opt/homebrew/opt/node', '../Cellar/node/24.1.0');
    const bin = link('opt/homebrew/bin/node', '../Cellar/node/24.1.0/bin/node');
    const opt = join(root, 'opt/homebrew/opt/node/bin/node');
    expect(resolveNodePath(cellar)).toBe(opt);
    expect(resolveNodePath(bin)).toBe(opt);
    expect(classifyNodeInstall(cellar)).toBe('homebrew');
  });

  it('Homebrew on Intel, a versioned formula (node@22): its own opt link', () => {
    const cellar = file('usr/local/Cellar/node@22/22.16.0/bin/node');
    link('usr/local/opt/node@22', '../Cellar/node@22/22.16.0');
    expect(resolveNodePath(cellar)).toBe(join(root, 'usr/local/opt/node@22/bin/node'));
    expect(classifyNodeInstall(cellar)).toBe('homebrew');
  });

  it('a Cellar binary whose opt link points elsewhere keeps its real path', () => {
    const cellar = file('brew2/Cellar/node/23.0.0/bin/node');
    file('brew2/Cellar/node/24.0.0/bin/node');
    link('brew2/opt/node', '../Cellar/node/24.0.0');
    expect(resolveNodePath(cellar)).toBe(cellar);
  });

  it('nvm: the versioned install, also when reached through its `current` link', () => {
    const real = file('home/.nvm/versions/node/v20.19.0/bin/node');
    const current = link('home/.nvm/current', 'versions/node/v20.19.0');
    expect(resolveNodePath(real)).toBe(real);
    expect(resolveNodePath(join(current, 'bin/node'))).toBe(real);
    expect(classifyNodeInstall(real)).toBe('nvm');
  });

  it("fnm: the installation, never the shell's own fnm_multishells folder", () => {
    const real = file('home/.local/share/fnm/node-versions/v20.19.0/installation/bin/node');
    const shellA = link(
      'home/.local/state/fnm_multishells/4242_1733212800000',
      join(root, 'home/.local/share/fnm/node-versions/v20.19.0/installation'),
    );
    const shellB = link(
      'home/.local/state/fnm_multishells/4343_1733212900000',
      join(root, 'home/.local/share/fnm/node-versions/v20.19.0/installation'),
    );
    expect(resolveNodePath(join(shellA, 'bin/node'))).toBe(real);
    expect(resolveNodePath(join(shellB, 'bin/node'))).toBe(real);
    expect(isSameNode(join(shellA, 'bin/node'), join(shellB, 'bin/node'))).toBe(true);
    expect(classifyNodeInstall(real)).toBe('fnm');
  });

  it("volta: the tool image, never ~/.volta/bin/node (a link to volta's shim binary)", () => {
    const real = file('home/.volta/tools/image/node/20.19.0/bin/node');
    file('home/.volta/bin/volta-shim');
    const shim = link('home/.volta/bin/node', 'volta-shim');
    expect(resolveNodePath(real)).toBe(real);
    expect(classifyNodeInstall(real)).toBe('volta');
    expect(isSameNode(shim, real)).toBe(false);
    expect(classifyNodeInstall(realpathSync(shim))).toBe('other');
  });

  it('asdf: the install, never the shim script', () => {
    const real = file('home/.asdf/installs/nodejs/20.19.0/bin/node');
    const shim = file('home/.asdf/shims/node', '#!/usr/bin/env bash\nexec asdf exec "node" "$@"\n');
    expect(resolveNodePath(real)).toBe(real);
    expect(classifyNodeInstall(real)).toBe('asdf');
    expect(classifyNodeInstall(shim)).toBe('other');
  });

  it('mise: the install, never the shim (a link to the mise binary)', () => {
    const real = file('home/.local/share/mise/installs/node/20.19.0/bin/node');
    file('home/.local/bin/mise');
    const shim = link('home/.local/share/mise/shims/node', join(root, 'home/.local/bin/mise'));
    expect(resolveNodePath(real)).toBe(real);
    expect(classifyNodeInstall(real)).toBe('mise');
    expect(isSameNode(shim, real)).toBe(false);
  });

  it('a system node with /bin -> /usr/bin (merged /usr): /usr/bin/node from either spelling', () => {
    const real = file('sys/usr/bin/node');
    link('sys/bin', 'usr/bin');
    link('sys/symlinks/node', join(root, 'sys/bin/node'));
    expect(resolveNodePath(join(root, 'sys/bin/node'))).toBe(real);
    expect(resolveNodePath(join(root, 'sys/symlinks/node'))).toBe(real);
    expect(classifyNodeInstall(real)).toBe('system');
    expect(classifyNodeInstall('/usr/bin/node')).toBe('system');
    expect(classifyNodeInstall('/usr/local/bin/node')).toBe('system');
    expect(classifyNodeInstall('/srv/tools/node-v20/bin/node')).toBe('other');
  });

  it('derives the PATH of a service from the path it renders, not from the caller', () => {
    const real = resolveNodePath(join(root, 'sys/bin/node'));
    expect(nodeServicePath(real).split(':')[0]).toBe(join(root, 'sys/usr/bin'));
  });

  it('a node that does not exist keeps the path it was given', () => {
    expect(resolveNodePath(join(root, 'gone/bin/node'))).toBe(join(root, 'gone/bin/node'));
    expect(isSameNode(join(root, 'gone/bin/node'), join(root, 'sys/usr/bin/node'))).toBe(false);
  });
});
