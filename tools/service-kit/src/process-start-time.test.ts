import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isPidAlive, processStartTime } from './process-start-time.js';

describe('processStartTime', () => {
  it('is stable for a running process and null for one that is gone', async () => {
    const own = await processStartTime(process.pid);
    expect(own).toMatch(/\S/);
    expect(await processStartTime(process.pid)).toBe(own);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(await processStartTime(gone)).toBeNull();
    expect(await processStartTime(-1)).toBeNull();
  });
});

describe('isPidAlive', () => {
  it('tells a running process from one that is gone', () => {
    expect(isPidAlive(process.pid)).toBe(true);
    expect(isPidAlive(spawnSync(process.execPath, ['-e', '0']).pid)).toBe(false);
    expect(isPidAlive(0)).toBe(false);
  });
});
