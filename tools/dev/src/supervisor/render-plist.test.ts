import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as plist from 'plist';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleUnit } from '../test-support/sample-unit.js';
import { GUARD_ENV } from './crash-loop-guard.js';
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

  it('round-trips every value exactly through plist.parse', () => {
    const parsed = plist.parse(renderPlist(unit)) as Record<string, unknown>;
    expect(parsed).toEqual({
      Label: unit.label,
      ProgramArguments: unit.argv,
      WorkingDirectory: unit.cwd,
      EnvironmentVariables: unit.env,
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 1,
      ProcessType: 'Interactive',
      StandardOutPath: unit.logPath,
      StandardErrorPath: unit.logPath,
      ExitTimeOut: 3,
      LimitLoadToSessionType: ['Aqua', 'Background'],
    });
  });

  it('is pure: the same unit renders the same bytes whatever the env key order', () => {
    const reversed = sampleUnit({ env: Object.fromEntries(Object.entries(unit.env).reverse()) });
    expect(renderPlist(reversed)).toBe(renderPlist(unit));
  });

  it('preloads the crash-loop guard with a file URL and tells it where its state lives', () => {
    const parsed = plist.parse(renderPlist(unit, guard)) as {
      ProgramArguments: string[];
      EnvironmentVariables: Record<string, string>;
    };
    expect(parsed.ProgramArguments).toEqual([
      unit.argv[0],
      '--import=file:///opt/nexu%20dev/crash-loop-guard.mjs',
      ...unit.argv.slice(1),
    ]);
    expect(parsed.EnvironmentVariables[GUARD_ENV.stateBase]).toBe(guard.stateBase);
    expect(parsed.EnvironmentVariables[GUARD_ENV.maxStarts]).toBe('5');
  });

  it.skipIf(!hasPlistutil && !process.env.CI)('is a valid property list for plistutil', () => {
    const file = join(tmp, 'unit.plist');
    writeFileSync(file, renderPlist(unit, guard));
    const binary = join(tmp, 'unit.bin');
    execFileSync('plistutil', ['-i', file, '-o', binary]);
    const back = execFileSync('plistutil', ['-i', binary, '-o', '-'], { encoding: 'utf8' });
    expect(plist.parse(back)).toEqual(plist.parse(renderPlist(unit, guard)));
  });
});
