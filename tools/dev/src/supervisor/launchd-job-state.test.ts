import { describe, expect, it } from 'vitest';
import { readLaunchctlPrintFixture as fixture } from '../test-support/launchctl-print-fixture.js';
import { describeLaunchdJob, type LaunchdGuardRecords } from './launchd-job-state.js';
import { parseLaunchctlPrint } from './parse-launchctl-print.js';

const none: LaunchdGuardRecords = { crashed: null, stopped: null, guardLoaded: true, runsAtStart: 0 };
const describeFixture = (name: string, records: Partial<LaunchdGuardRecords> = {}) =>
  describeLaunchdJob(parseLaunchctlPrint(fixture(name)), { ...none, ...records });

// The status each real `launchctl print` shape (test-support/launchctl-print/) maps to.
describe('describeLaunchdJob on real launchctl output', () => {
  it.each([
    ['mattstack-running-in-documents', 'running'],
    ['cli-pulse-running', 'running'],
    ['mimi-running', 'running'],
    ['wazuh-mojave-running', 'running'],
  ])('%s is %s', (name, state) => {
    expect(describeFixture(name)).toEqual({ state });
  });

  it('a running job whose last spawn was `inefficient` is running, not a crash loop', () => {
    expect(describeFixture('mattstack-running-after-sigterm')).toEqual({ state: 'running' });
  });

  it('a throttled respawn (`immediate reason = inefficient`) is starting, with no crash-loop verdict', () => {
    const print = parseLaunchctlPrint(fixture('mimi-respawning'));
    expect(describeLaunchdJob(print && { ...print, immediateReason: 'inefficient' }, none)).toEqual({
      state: 'starting',
    });
  });

  it('the transient xpcproxy state is starting, not stopped', () => {
    expect(describeFixture('cli-pulse-xpcproxy')).toEqual({ state: 'starting' });
    const print = parseLaunchctlPrint(fixture('cli-pulse-xpcproxy'));
    expect(describeLaunchdJob(print && { ...print, pid: 4242 }, none)).toEqual({ state: 'starting' });
  });

  it('a state this code does not know is starting', () => {
    const print = parseLaunchctlPrint(fixture('mimi-running'));
    expect(describeLaunchdJob(print && { ...print, pid: null, state: 'spawning' }, none)).toEqual({
      state: 'starting',
    });
  });

  it('a job launchd cannot spawn (78 EX_CONFIG, spawn failed) is crashed with that reason', () => {
    expect(describeFixture('cli-pulse-spawn-failed')).toEqual({
      state: 'crashed',
      reason: 'launchd could not launch it (last exit code = 78: EX_CONFIG, job state = spawn failed)',
      launchFailed: 'spawn',
    });
  });

  it('a launch refused with an OS_REASON is crashed with that reason', () => {
    expect(describeFixture('cli-pulse-codesigning-refused')).toMatchObject({
      state: 'crashed',
      reason: expect.stringContaining('OS_REASON_CODESIGNING'),
      launchFailed: 'codesigning',
    });
  });

  it('a respawning job is starting while the guard runs, crashed when the guard never loaded', () => {
    expect(describeFixture('mimi-respawning')).toEqual({ state: 'starting' });
    expect(describeFixture('mimi-respawning', { guardLoaded: false, runsAtStart: 17160 })).toMatchObject({
      state: 'crashed',
      reason: expect.stringMatching(/node exited 1 in 9 spawns before the crash-loop guard loaded/),
      launchFailed: 'unguarded',
    });
    // One unguarded spawn since the start is not yet evidence: the guard may be loading now.
    expect(describeFixture('mimi-respawning', { guardLoaded: false, runsAtStart: 17168 })).toEqual({
      state: 'starting',
    });
  });

  it('a clean exit is stopped; the guard records win over the exit code', () => {
    expect(describeFixture('motherboard-not-running')).toEqual({ state: 'stopped', reason: 'exited 0' });
    expect(
      describeFixture('motherboard-not-running', { stopped: { reason: 'exited 78 (configuration error)' } }),
    ).toEqual({
      state: 'stopped',
      reason: 'exited 78 (configuration error)',
    });
    expect(
      describeFixture('mimi-respawning', { crashed: { reason: 'crash loop: 5 failed starts in 30s' } }),
    ).toEqual({
      state: 'crashed',
      reason: 'crash loop: 5 failed starts in 30s',
    });
  });

  it('another OS_REASON (exec refused) is a launch failure of its own cause', () => {
    const print = parseLaunchctlPrint(fixture('cli-pulse-codesigning-refused'));
    expect(describeLaunchdJob(print && { ...print, lastExitReason: 'OS_REASON_EXEC' }, none)).toMatchObject({
      state: 'crashed',
      launchFailed: 'exec',
    });
  });

  it('an idle job (`not running`, no pid) after a failed run is stopped with that exit, not crashed or starting', () => {
    const print = parseLaunchctlPrint(fixture('motherboard-not-running'));
    expect(describeLaunchdJob(print && { ...print, lastExitCode: 3 }, none)).toEqual({
      state: 'stopped',
      reason: 'exited 3',
    });
    expect(
      describeLaunchdJob(print && { ...print, lastExitCode: null, lastSignal: 'SIGKILL' }, none),
    ).toEqual({
      state: 'stopped',
      reason: 'killed by SIGKILL',
    });
    // The same exit while launchd schedules the next spawn (KeepAlive) is a restart under way.
    expect(describeFixture('mimi-respawning')).toEqual({ state: 'starting' });
  });

  it('a label launchd still unloads after a bootout is stopped with that reason, with or without a pid', () => {
    const print = parseLaunchctlPrint(fixture('mimi-running'));
    const draining = { state: 'stopped', reason: 'launchd is still unloading it' };
    expect(describeLaunchdJob(print && { ...print, state: 'SIGTERMed' }, none)).toEqual(draining);
    expect(describeLaunchdJob(print && { ...print, state: 'SIGTERMed', pid: null }, none)).toEqual(draining);
    // Even when the guard had recorded a verdict before the bootout.
    expect(
      describeLaunchdJob(print && { ...print, state: 'SIGTERMed', pid: null }, {
        ...none,
        crashed: { reason: 'crash loop' },
      }),
    ).toEqual(draining);
  });

  it('a label launchd does not know is stopped, or crashed when a launch failure was recorded', () => {
    expect(describeLaunchdJob(parseLaunchctlPrint(fixture('not-found')), none)).toEqual({ state: 'stopped' });
    expect(describeLaunchdJob(null, { ...none, crashed: { reason: 'launchd could not launch it' } })).toEqual(
      {
        state: 'crashed',
        reason: 'launchd could not launch it',
      },
    );
  });
});
