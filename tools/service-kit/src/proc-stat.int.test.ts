import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAliveSync, isSameProcessSync, parseProcStat, processStartTimeSync } from './proc-stat.js';

describe('processStartTimeSync', () => {
  it('is stable for a running process and null for one that is gone', () => {
    const own = processStartTimeSync(process.pid);
    expect(own).toMatch(/\S/);
    expect(processStartTimeSync(process.pid)).toBe(own);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(processStartTimeSync(gone)).toBeNull();
  });
});

describe('isSameProcessSync', () => {
  it('is true for a running process with its start time, false for another start time or a gone pid', () => {
    const own = processStartTimeSync(process.pid);
    expect(isSameProcessSync(process.pid, own)).toBe(true);
    expect(isSameProcessSync(process.pid, null)).toBe(true);
    expect(isSameProcessSync(process.pid, `${own}0`)).toBe(false);
    expect(isSameProcessSync(spawnSync(process.execPath, ['-e', '0']).pid, null)).toBe(false);
  });
});

describe('isProcessAliveSync', () => {
  it('tells a running process from one that is gone', () => {
    expect(isProcessAliveSync(process.pid)).toBe(true);
    expect(isProcessAliveSync(spawnSync(process.execPath, ['-e', '0']).pid)).toBe(false);
    expect(isProcessAliveSync(0)).toBe(false);
  });
});

describe('parseProcStat', () => {
  it('counts fields after the last parenthesis: a command name may hold spaces and parentheses', () => {
    const text = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 11 0 98765 1000 200';
    expect(parseProcStat(text)).toEqual({
      state: 'S',
      ppid: 1,
      pgid: 4242,
      cpuTicks: 10,
      startTime: '98765',
    });
    expect(parseProcStat('garbage')).toBeNull();
  });
});
