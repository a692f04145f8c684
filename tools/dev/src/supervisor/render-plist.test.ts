import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { sampleUnit } from '../test-support/sample-unit.js';
import { GUARD_ENV } from './guard-env.js';
import { renderPlist } from './render-plist.js';

describe('renderPlist', () => {
  const unit = sampleUnit();
  const guard = {
    path: '/opt/nexu dev/crash-loop-guard.mjs',
    stateBase: '/x/units/io.nexu.gateway.ab12cd34.dev',
  };

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
});
