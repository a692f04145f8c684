import { describe, expect, it } from 'vitest';
import { chooseLaunchdDomain, type LaunchdSessionFacts } from './launchd-domain.js';

const atConsole: LaunchdSessionFacts = {
  uid: 501,
  euid: 501,
  consoleUid: 501,
  ssh: false,
  sudoUser: null,
  superuser: false,
};

// The rules Homebrew applies before every `brew services` command (Library/Homebrew/services/system.rb).
describe('chooseLaunchdDomain', () => {
  it('uses the GUI session of the user at the console', () => {
    expect(chooseLaunchdDomain(atConsole)).toEqual({ kind: 'gui', domain: 'gui/501' });
  });

  it('uses the GUI session over SSH when the same user owns the console', () => {
    expect(chooseLaunchdDomain({ ...atConsole, ssh: true })).toEqual({ kind: 'gui', domain: 'gui/501' });
  });

  it('uses user/<uid> over SSH with nobody at the console (launchctl would answer 112)', () => {
    expect(chooseLaunchdDomain({ ...atConsole, ssh: true, consoleUid: 0 })).toEqual({
      kind: 'user',
      domain: 'user/501',
      reason: 'over SSH with nobody logged in at the console',
    });
  });

  it('uses user/<uid> over SSH while another user owns the console (launchctl would answer 125)', () => {
    expect(chooseLaunchdDomain({ ...atConsole, ssh: true, consoleUid: 502 })).toMatchObject({
      domain: 'user/501',
      reason: 'over SSH while another user owns the console',
    });
  });

  it('uses user/<euid> through sudo and when uid and euid differ', () => {
    expect(chooseLaunchdDomain({ ...atConsole, euid: 0, sudoUser: 'dev' })).toMatchObject({
      domain: 'user/0',
      reason: 'running through sudo (as dev)',
    });
    expect(chooseLaunchdDomain({ ...atConsole, euid: 502 })).toMatchObject({
      domain: 'user/502',
      reason: 'uid 501 and euid 502 differ',
    });
  });
});
