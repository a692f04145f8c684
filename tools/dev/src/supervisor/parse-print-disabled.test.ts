import { describe, expect, it } from 'vitest';
import { parsePrintDisabled } from './parse-print-disabled.js';

describe('parsePrintDisabled', () => {
  it('reads the macOS 14+ shape', () => {
    // Verbatim `launchctl print-disabled gui/$(id -u)` on Darwin 25.3.0, quoted in
    // assafkip/kipi-system#134 ("tabs and all").
    const real = [
      '\tdisabled services = {',
      '\t\t"com.docker.helper" => enabled',
      '\t\t"com.cole.content-brain" => disabled',
      '\t\t"com.apple.Siri.agent" => disabled',
      '\t}',
      '',
    ].join('\n');
    expect(parsePrintDisabled(real)).toEqual(
      new Map([
        ['com.docker.helper', false],
        ['com.cole.content-brain', true],
        ['com.apple.Siri.agent', true],
      ]),
    );
  });

  it('reads the older true/false shape', () => {
    // The form roblav96/dotfiles matches with `"(.+)" => true` to list disabled jobs.
    const older =
      'disabled services = {\n\t"com.openssh.ssh-agent" => true\n\t"com.apple.ftp-proxy" => false\n}\n';
    expect(parsePrintDisabled(older)).toEqual(
      new Map([
        ['com.openssh.ssh-agent', true],
        ['com.apple.ftp-proxy', false],
      ]),
    );
  });
});
