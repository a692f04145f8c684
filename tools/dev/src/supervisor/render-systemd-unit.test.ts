import { describe, expect, it } from 'vitest';
import { sampleUnit } from '../test-support/sample-unit.js';
import {
  escapeUnquotedPath,
  parseEnvironmentNames,
  quoteEnvironment,
  quoteExecArg,
  renderSystemdUnit,
  systemdUnitEnvironment,
  systemdUnsetNames,
} from './render-systemd-unit.js';

describe('systemd quoting', () => {
  it('double-quotes ExecStart arguments and escapes backslash, quote, % and $', () => {
    expect(quoteExecArg('/a b/c')).toBe('"/a b/c"');
    expect(quoteExecArg('say "hi" \\ 100% $HOME')).toBe('"say \\"hi\\" \\\\ 100%% $$HOME"');
    expect(quoteExecArg('ünïcödé')).toBe('"ünïcödé"');
  });

  it('quotes a whole Environment= assignment; $ stays literal there', () => {
    expect(quoteEnvironment('A', 'x y')).toBe('"A=x y"');
    expect(quoteEnvironment('A', 'q"b\\ 5% $X\nz')).toBe('"A=q\\"b\\\\ 5%% $X\\nz"');
    expect(() => quoteEnvironment('BAD KEY', 'x')).toThrow(/not valid/);
  });

  it('reads the environment back from a rendered unit, unquoted', () => {
    const env = { A: 'x y', B: 'q"b\\ 5% $X\nz\t', NEXU_DEV_ROOT: "/tmp/nexu dév 100% 'q' $HOME" };
    const unit = { ...sampleUnit(), env };
    expect(systemdUnitEnvironment(renderSystemdUnit(unit))).toEqual(env);
  });

  it('keeps unquoted paths literal but doubles %', () => {
    expect(escapeUnquotedPath('/a b/100%\\x')).toBe('/a b/100%%\\x');
    expect(() => escapeUnquotedPath('/a\nb')).toThrow(/line break/);
  });
});

describe('renderSystemdUnit', () => {
  const unit = sampleUnit();

  it('restarts on failure, never on exit 78, and breaks crash loops', () => {
    const text = renderSystemdUnit(unit);
    expect(text).toContain('Restart=on-failure\n');
    expect(text).toContain('RestartPreventExitStatus=78\n');
    expect(text).toMatch(/\[Unit\][^[]*StartLimitIntervalSec=30s\nStartLimitBurst=20\n/);
    expect(text).toContain('KillMode=control-group\n');
    expect(text).toContain(`StandardOutput=append:${unit.logPath.replace(/%/g, '%%')}\n`);
  });

  it('is pure: env order does not change the text', () => {
    const reversed = sampleUnit({ env: Object.fromEntries(Object.entries(unit.env).reverse()) });
    expect(renderSystemdUnit(reversed)).toBe(renderSystemdUnit(unit));
  });
});

describe('what a unit clears of the manager environment', () => {
  it('unsets every variable the manager would hand on that the unit does not set, and systemd’s own', () => {
    const managerEnv = parseEnvironmentNames(
      "HOME=/root\nNODE_OPTIONS=--max-old-space-size=64\nPATH=/usr/bin:/bin\nODD=$'a\\nb'\n",
    );
    expect(managerEnv).toEqual(['HOME', 'NODE_OPTIONS', 'PATH', 'ODD']);
    const text = renderSystemdUnit(sampleUnit(), undefined, undefined, managerEnv);
    const unset = systemdUnsetNames(text);
    expect(unset).toEqual(
      expect.arrayContaining(['HOME', 'NODE_OPTIONS', 'ODD', 'MANAGERPID', 'INVOCATION_ID']),
    );
    expect(unset).not.toContain('PATH');
    for (const name of Object.keys(sampleUnit().env)) expect(unset).not.toContain(name);
  });
});
