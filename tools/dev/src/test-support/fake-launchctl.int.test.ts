import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../os/command-runner.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import { fakeLaunchctl } from './fake-launchctl.js';
import { FAKE_LAUNCHCTL } from './fake-launchd-env.js';

const uid = process.getuid?.() ?? 0;

// The fake launchctl is a client of one resident fake launchd per state folder (fake-launchctl.ts):
// what a call answers must not depend on that, and the server must leave nothing behind.
describe.skipIf(process.platform === 'darwin')('the resident fake launchctl', () => {
  let dir: string;
  const envOf = (knobs: Record<string, string> = {}) => ({
    ...process.env,
    FAKE_LAUNCHCTL_STATE: dir,
    ...knobs,
  });
  const call = (args: string[], knobs: Record<string, string> = {}) =>
    runCommand([FAKE_LAUNCHCTL, ...args], { env: envOf(knobs) });
  /** Pids of the fake launchd servers of this test's folder, from `ps`. */
  const servers = async () => {
    const { stdout } = await runCommand(['ps', '-axo', 'pid=,command=']);
    return stdout
      .split('\n')
      .filter((line) => line.includes('fake-launchd-server') && line.includes(`${dir}/`))
      .map((line) => Number.parseInt(line.trim(), 10));
  };
  const serversGone = async () => (await servers()).length === 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nexu-fake-resident-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    expect((await waitFor(serversGone, { timeoutMs: 10_000 })).ok).toBe(true);
  });

  it('answers every call as the fake launchd does, with the knobs of that call', async () => {
    const cases: [string[], Record<string, string>][] = [
      [['print', `gui/${uid}`], {}],
      [['print', `gui/${uid}`], { FAKE_LAUNCHCTL_SESSION: 'ssh' }],
      [['print', `gui/${uid}/io.nexu.nope`], {}],
      [['print', `gui/${uid}/io.nexu.nope`], { FAKE_LAUNCHCTL_SESSION: 'headless' }],
      [['bootout', `gui/${uid}/io.nexu.nope`], { FAKE_LAUNCHCTL_OLD: '1' }],
      [['bootstrap', `gui/${uid}`, join(dir, 'missing.plist')], {}],
      [['print-disabled', `user/${uid}`], {}],
      [['frobnicate', ''], {}],
    ];
    for (const [args, knobs] of cases) {
      const { stdout, stderr, exitCode } = await call(args, knobs);
      const expected = await fakeLaunchctl({ args, env: envOf(knobs), cwd: process.cwd(), uid });
      expect({ args, knobs, stdout, stderr, exitCode }).toEqual({ args, knobs, ...expected });
    }
    // Every call recorded, the client's as the function's.
    expect(readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n')).toHaveLength(cases.length * 2);
  });

  it('lets several first calls at once share one server, which takes none of their environment', async () => {
    const marker = `fake-launchd-test-${process.pid}`;
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => call(['print', `gui/${uid}`], { NEXU_DEV_INSTANCE: marker })),
    );
    expect(answers.map((answer) => answer.exitCode)).toEqual([0, 0, 0, 0]);
    expect(new Set(answers.map((answer) => answer.stdout)).size).toBe(1);
    expect((await waitFor(async () => (await servers()).length === 1, { timeoutMs: 10_000 })).ok).toBe(true);
    // Not a process of the caller's checkout: the suites' leak checks look for those by marker.
    expect(await findMarkedProcesses(marker)).toEqual([]);
  });

  it('leaves once its folder is gone, and once no call came for a while', async () => {
    expect((await call(['print', `gui/${uid}`])).exitCode).toBe(0);
    expect(await servers()).toHaveLength(1);
    expect((await waitFor(serversGone, { timeoutMs: 10_000 })).ok).toBe(true);
    // The next call starts one again.
    expect((await call(['print', `gui/${uid}`])).exitCode).toBe(0);
    expect(await servers()).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
    expect((await waitFor(serversGone, { timeoutMs: 10_000 })).ok).toBe(true);
  });
});
