import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeServicePath } from '../os/node-identity.js';
import { sampleUnit } from '../test-support/sample-unit.js';
import { plistFields, plistNode, renderPlist } from './render-plist.js';
import { processUnitFields, processUnitNode, renderProcessUnit } from './render-process-unit.js';
import { renderSystemdUnit, systemdUnitFields, systemdUnitNode } from './render-systemd-unit.js';
import type { UnitSpec } from './supervisor.js';
import { describeUnitDrift, type UnitFormat } from './unit-drift.js';

// A merged-/usr system built for real: <root>/bin -> usr/bin, and another node beside it. The
// paths carry a space, a quote and a % so every format's quoting is exercised.
const root = join(realpathSync(mkdtempSync(join(tmpdir(), 'nexu-drift-'))), 'sys "a" 100%');
mkdirSync(join(root, 'usr/bin'), { recursive: true });
mkdirSync(join(root, 'opt/other/bin'), { recursive: true });
writeFileSync(join(root, 'usr/bin/node'), '', { mode: 0o755 });
writeFileSync(join(root, 'opt/other/bin/node'), '', { mode: 0o755 });
symlinkSync('usr/bin', join(root, 'bin'));
afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }));

/** A unit run by `node`, with the PATH derived from it, as `resolveUnitSpec` renders it. */
const runBy = (node: string): UnitSpec => {
  const unit = sampleUnit();
  return { ...unit, argv: [node, ...unit.argv.slice(1)], env: { ...unit.env, PATH: nodeServicePath(node) } };
};

const formats: Array<[string, UnitFormat]> = [
  ['process', { render: (u) => renderProcessUnit(u), fields: processUnitFields, node: processUnitNode }],
  ['systemd', { render: (u) => renderSystemdUnit(u), fields: systemdUnitFields, node: systemdUnitNode }],
  ['launchd', { render: (u) => renderPlist(u), fields: plistFields, node: plistNode }],
];

describe.each(formats)('unit drift of a %s unit', (_name, format) => {
  const wanted = runBy(join(root, 'usr/bin/node'));

  it('reads back the node an installed unit runs', () => {
    expect(format.node(format.render(wanted))).toBe(join(root, 'usr/bin/node'));
  });

  it('another spelling of the same node (and the PATH derived from it) is no drift', () => {
    const installed = format.render(runBy(join(root, 'bin/node')));
    expect(installed).not.toBe(format.render(wanted));
    expect(describeUnitDrift(installed, wanted, format)).toEqual([]);
  });

  it('another node binary is drift of the program and its PATH', () => {
    const installed = format.render(runBy(join(root, 'opt/other/bin/node')));
    expect(describeUnitDrift(installed, wanted, format)).toEqual(['argv', 'env.PATH']);
  });

  it('a node that no longer exists is drift that says so', () => {
    const installed = format.render(runBy(join(root, 'gone/bin/node')));
    expect(describeUnitDrift(installed, wanted, format)).toEqual([
      `node (${join(root, 'gone/bin/node')} no longer exists)`,
    ]);
  });

  it('a changed setting beside a respelled node is still drift', () => {
    const installed = format.render(runBy(join(root, 'bin/node')));
    const moved = { ...wanted, env: { ...wanted.env, PORT: '19000' } };
    expect(describeUnitDrift(installed, moved, format)).toEqual(['env.PORT']);
  });
});
