import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_LOOP_GUARD_PATH } from './crash-loop-guard.js';
import { GUARD_ENV } from './guard-env.js';

const GUARD = pathToFileURL(CRASH_LOOP_GUARD_PATH).href;
const dir = mkdtempSync(join(tmpdir(), 'nexu-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `script` under node with the guard preloaded, as a launchd job (or, `systemd`, a unit) would. */
function runGuarded(script: string, stateBase: string, options: { systemd?: boolean } = {}) {
  const file = join(dir, 'service.mjs');
  writeFileSync(file, script);
  return spawnSync(process.execPath, [`--import=${GUARD}`, file], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      [GUARD_ENV.stateBase]: stateBase,
      [GUARD_ENV.maxStarts]: '3',
      [GUARD_ENV.windowMs]: '60000',
      ...(options.systemd ? {} : { [GUARD_ENV.recordConfigExit]: '1' }),
    },
  });
}

describe('crash-loop guard', () => {
  it('turns exit 78 into a clean exit and records why (launchd)', () => {
    const base = join(dir, 'config');
    const result = runGuarded('process.exit(78);', base);
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(`${base}.stopped`, 'utf8'))).toMatchObject({
      reason: 'exited 78 (configuration error)',
      code: 78,
    });
  });

  it('leaves exit 78 to the supervisor when told to (systemd: RestartPreventExitStatus=78)', () => {
    const base = join(dir, 'config-systemd');
    expect(runGuarded('process.exit(78);', base, { systemd: true }).status).toBe(78);
    expect(existsSync(`${base}.stopped`)).toBe(false);
  });

  it('leaves other exit codes alone and hides its own variables from the service', () => {
    const base = join(dir, 'plain');
    const result = runGuarded(
      `console.log(Object.keys(process.env).filter((k) => k.startsWith('NEXU_DEV_GUARD')).length); process.exitCode = 3;`,
      base,
    );
    expect(result.status).toBe(3);
    expect(result.stdout.trim()).toBe('0');
    expect(existsSync(`${base}.stopped`)).toBe(false);
  });

  it('stops a crash loop with a clean exit once the starts exceed the limit', () => {
    const base = join(dir, 'loop');
    const statuses = [1, 2, 3, 4].map(() => runGuarded('process.exit(1);', base).status);
    expect(statuses).toEqual([1, 1, 1, 0]);
    expect(JSON.parse(readFileSync(`${base}.crashed`, 'utf8')).reason).toBe(
      'crash loop: 3 failed starts in 60s',
    );
  });
});
