import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as plist from 'plist';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleUnit } from '../test-support/sample-unit.js';
import { renderPlist } from './render-plist.js';

const hasPlistutil = (() => {
  try {
    execFileSync('plistutil', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

describe('renderPlist', () => {
  const unit = sampleUnit();
  const guard = {
    path: '/opt/nexu dev/crash-loop-guard.mjs',
    stateBase: '/x/units/io.nexu.gateway.ab12cd34.dev',
  };
  const tmp = mkdtempSync(join(tmpdir(), 'nexu-plist-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(!hasPlistutil && !process.env.CI)('is a valid property list for plistutil', () => {
    const file = join(tmp, 'unit.plist');
    writeFileSync(file, renderPlist(unit, guard));
    const binary = join(tmp, 'unit.bin');
    execFileSync('plistutil', ['-i', file, '-o', binary]);
    const back = execFileSync('plistutil', ['-i', binary, '-o', '-'], { encoding: 'utf8' });
    expect(plist.parse(back)).toEqual(plist.parse(renderPlist(unit, guard)));
  });
});
