import { describe, expect, it } from 'vitest';
import { DEFAULT_CRASH_LOOP } from './crash-loop.js';
import {
  parseSystemctlShow,
  parseSystemctlShowUnits,
  readFailedStart,
  systemdState,
  userManagerAnswered,
} from './parse-systemctl-show.js';

const show = (lines: string) => parseSystemctlShow(lines.trim().replace(/^\s+/gm, ''));
const stateOf = (lines: string) => systemdState(show(lines), DEFAULT_CRASH_LOOP);

describe('systemd status mapping', () => {
  it('keeps values that contain =', () => {
    expect(parseSystemctlShow('Environment=A=b c\nLoadState=loaded\n')).toEqual({
      Environment: 'A=b c',
      LoadState: 'loaded',
    });
  });

  it('reads a running unit with its main pid and restarts', () => {
    expect(
      stateOf(`LoadState=loaded
        ActiveState=active
        SubState=running
        MainPID=4242
        NRestarts=2
        ExecMainCode=2
        ExecMainStatus=9
        Result=success`),
    ).toEqual({ state: 'running', pid: 4242, restarts: 2, lastExit: { code: null, signal: 'SIGKILL' } });
  });

  it('reads a unit waiting to restart as starting', () => {
    expect(stateOf('ActiveState=activating\nSubState=auto-restart\nMainPID=0\nNRestarts=1')).toMatchObject({
      state: 'starting',
      pid: null,
    });
  });

  it('reads exit 78 as stopped with the reason', () => {
    expect(
      stateOf(
        'ActiveState=failed\nSubState=failed\nResult=exit-code\nExecMainCode=1\nExecMainStatus=78\nNRestarts=0',
      ),
    ).toMatchObject({ state: 'stopped', reason: 'exited 78 (configuration error)', lastExit: { code: 78 } });
  });

  it("reads a unit stopped by systemd's own start limit as a crash loop that names that limit", () => {
    for (const text of [
      'ActiveState=failed\nResult=start-limit-hit\nNRestarts=0',
      'ActiveState=failed\nResult=exit-code\nExecMainCode=1\nExecMainStatus=1\nNRestarts=19',
    ]) {
      expect(stateOf(text)).toMatchObject({
        state: 'crashed',
        reason: "crash loop: systemd's start limit, 20 starts in 30s (StartLimitBurst)",
      });
    }
  });

  it('reads a unit that failed without a restart as failed, with its result', () => {
    expect(
      stateOf('ActiveState=failed\nResult=exit-code\nExecMainCode=1\nExecMainStatus=1\nNRestarts=0'),
    ).toMatchObject({ state: 'crashed', reason: 'failed (exit-code)' });
  });

  it('reads an inactive unit as stopped', () => {
    expect(stateOf('ActiveState=inactive\nSubState=dead\nMainPID=0\nResult=success')).toMatchObject({
      state: 'stopped',
      pid: null,
      lastExit: null,
    });
  });
});

describe('parseSystemctlShowUnits', () => {
  it('reads one block per unit, keyed by Id (systemd 252 separates them with an empty line)', () => {
    const text = [
      'Id=io.nexu.gateway.ab12cd34.dev.service',
      'LoadState=loaded',
      'ActiveState=active',
      'MainPID=4242',
      '',
      'Id=io.nexu.web.ab12cd34.dev.service',
      'LoadState=not-found',
      'ActiveState=inactive',
      'MainPID=0',
      '',
    ].join('\n');
    const units = parseSystemctlShowUnits(text);
    expect([...units.keys()]).toEqual([
      'io.nexu.gateway.ab12cd34.dev.service',
      'io.nexu.web.ab12cd34.dev.service',
    ]);
    expect(units.get('io.nexu.gateway.ab12cd34.dev.service')).toMatchObject({
      ActiveState: 'active',
      MainPID: '4242',
    });
    expect(units.get('io.nexu.web.ab12cd34.dev.service')).toMatchObject({ LoadState: 'not-found' });
  });
});

// `systemctl --user show -p Result,ExecMainStartTimestampMonotonic,ExecMainCode,ExecMainStatus`
// right after a failed `systemd-run --user -p Type=exec ...` job, recorded on systemd 252.
describe('readFailedStart', () => {
  const exited78 = parseSystemctlShow(
    'Result=exit-code\nExecMainStartTimestampMonotonic=13486092594\nExecMainCode=1\nExecMainStatus=78\n',
  );
  it('a program of this job that exited at once ran (systemd/systemd#28304)', () => {
    expect(readFailedStart(exited78, 13486000000n)).toEqual({
      ran: true,
      ended: 'its main process exited with 78',
    });
    const killed = { ...exited78, ExecMainCode: '2', ExecMainStatus: '9' };
    expect(readFailedStart(killed, 13486000000n)).toEqual({
      ran: true,
      ended: 'its main process was killed by SIGKILL',
    });
  });
  it("the exit of an earlier job's process says nothing of this one", () => {
    expect(readFailedStart(exited78, 13486100000n)).toEqual({ ran: false, ended: null });
  });
  it("systemd's own exit statuses mean the program never ran", () => {
    const chdir = { ...exited78, ExecMainStatus: '200' };
    expect(readFailedStart(chdir, 13486000000n)).toEqual({
      ran: false,
      ended: 'systemd could not set its process up: exit status 200 (systemd.exec(5), "Process Exit Codes")',
    });
  });
  it('a job that started no process (executable not found) ran nothing', () => {
    const never = parseSystemctlShow(
      'Result=success\nExecMainStartTimestampMonotonic=0\nExecMainCode=0\nExecMainStatus=0\n',
    );
    expect(readFailedStart(never, 0n)).toEqual({ ran: false, ended: null });
  });
});

describe('userManagerAnswered', () => {
  it('takes the states of systemctl(1) as an answer, and nothing else', () => {
    for (const state of ['running', 'degraded', 'starting', 'initializing', 'maintenance', 'stopping'])
      expect(userManagerAnswered(`${state}\n`), state).toBe(true);
    // No manager: stdout stays empty ("Failed to connect to bus" goes to stderr).
    for (const state of ['offline', 'unknown', ''])
      expect(userManagerAnswered(`${state}\n`), state).toBe(false);
  });
});
