import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleUnit } from '../test-support/sample-unit.js';
import { renderSystemdUnit, systemdUnitName } from './render-systemd-unit.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('renderSystemdUnit', () => {
  const unit = sampleUnit();
  const tmp = mkdtempSync(join(tmpdir(), 'nexu-unit-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(!hasAnalyze && !process.env.CI)('passes systemd-analyze verify', () => {
    const file = join(tmp, systemdUnitName(unit.label));
    // verify checks that ExecStart's binary exists: point it at this node.
    writeFileSync(file, renderSystemdUnit(sampleUnit({ argv: [process.execPath, ...unit.argv.slice(1)] })));
    const result = spawnSync('systemd-analyze', ['--user', 'verify', file], {
      encoding: 'utf8',
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || '/run/user/0' },
    });
    const complaints = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((line) => line.includes(systemdUnitName(unit.label)));
    expect(complaints).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('has a unit name derived from the label', () => {
    expect(systemdUnitName('io.nexu.web.ab12cd34.dev')).toBe('io.nexu.web.ab12cd34.dev.service');
    expect(
      execFileSync('systemd-escape', ['--mangle', 'io.nexu.web.ab12cd34.dev.service'], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('io.nexu.web.ab12cd34.dev.service');
  });
});
