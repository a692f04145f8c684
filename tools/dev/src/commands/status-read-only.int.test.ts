import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../os/command-runner.js';
import { systemdUnitName } from '../supervisor/render-systemd-unit.js';
import { createSupervisor } from '../supervisor/select-supervisor.js';
import type { BackendName, ServiceState, Supervisor, UnitSpec } from '../supervisor/supervisor.js';
import {
  createContractCheckout,
  FIXTURE_SERVICE,
  fixtureUnit,
  waitForHealthy,
} from '../test-support/contract-harness.js';
import { createIsolatedMachine, type IsolatedMachine } from '../test-support/isolated-machine.js';
import { collectMachineStatus } from './machine-status.js';
import { collectStatus } from './status.js';

/** Every file under `dir` (logs aside: the services write those) with its size and mtime. */
function snapshotFiles(dir: string | undefined): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string) => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(folder, name);
      const info = statSync(path, { throwIfNoEntry: false });
      if (!info) continue;
      if (info.isDirectory()) walk(path);
      else if (!name.endsWith('.log')) files[path] = `${info.size}:${info.mtimeMs}`;
    }
  };
  if (dir) walk(dir);
  return files;
}

/** systemctl verbs that only read. */
const READING_VERBS = new Set(['show', 'list-units', 'list-unit-files', 'cat', 'is-active', 'status']);
/** launchctl verbs that only read. */
const READING_LAUNCHCTL = new Set(['print', 'print-disabled', 'list']);

// `pnpm status`, `pnpm status --all` (and the watch session's polls, which read through the same
// `status`) are read-only on every backend: asked ten times each about units in every state the
// status mapping knows, no backend is told to stop, start, reset, enable or reload anything, and
// no unit file or state file changes.
describe.each<BackendName>(['launchd', 'systemd', 'process'])(
  '%s: status and status --all change nothing',
  (backend) => {
    let machine: IsolatedMachine;
    let temp: ReturnType<typeof createContractCheckout>;
    let supervisor: Supervisor;
    let shimLog: string;
    const units: UnitSpec[] = [];
    const expected = new Map<string, ServiceState>();
    const path = process.env.PATH;

    beforeAll(async () => {
      machine = await createIsolatedMachine();
      machine.enter();
      temp = createContractCheckout();
      // systemctl as the product finds it on PATH, recording each call before running the real one.
      const shimDir = join(temp.checkout.stateDir, 'shim');
      mkdirSync(shimDir, { recursive: true });
      shimLog = join(shimDir, 'systemctl.log');
      writeFileSync(shimLog, '');
      const real =
        (await runCommand(['sh', '-c', 'command -v systemctl'])).stdout.trim() || '/usr/bin/systemctl';
      writeFileSync(
        join(shimDir, 'systemctl'),
        `#!/bin/sh\nprintf '%s\\n' "$*" >> "${shimLog}"\nexec "${real}" "$@"\n`,
      );
      chmodSync(join(shimDir, 'systemctl'), 0o755);
      process.env.PATH = `${shimDir}${delimiter}${process.env.PATH}`;
    });

    afterAll(async () => {
      process.env.PATH = path;
      for (const unit of units.splice(0)) await supervisor?.uninstall(unit).catch(() => undefined);
      temp?.remove();
      await machine?.close();
    });

    it('in every state', { timeout: 120_000 }, async (context) => {
      if (backend === 'systemd' && !machine.systemd) context.skip();
      if (backend === 'launchd') process.env.FAKE_LAUNCHCTL_XPCPROXY_MS = '30';
      supervisor = createSupervisor(backend, { checkout: temp.checkout });
      const stage = async (
        name: string,
        state: ServiceState,
        options: Parameters<typeof fixtureUnit>[2] = {},
        argv?: string[],
      ) => {
        const unit = { ...(await fixtureUnit(temp.checkout, name, options)), ...(argv ? { argv } : {}) };
        units.push(unit);
        expected.set(unit.label, state);
        await supervisor.install(unit);
        // A program that cannot be launched may fail its start already (systemd's exec job).
        await supervisor.start(unit).catch(() => undefined);
        return unit;
      };
      // `pnpm status` shows gateway, controller and web: running, crash-loop stopped, not installed.
      const gateway = await stage('gateway', 'running');
      await stage('controller', 'crashed', { mode: 'crash-on-start' });
      expected.set(`io.nexu.web.${temp.checkout.id}.dev`, 'not-installed');
      // Further units `status --all` and `status` see: a config exit, a program that cannot be launched.
      await stage('config', 'stopped', { mode: 'exit78' });
      await stage('nolaunch', 'crashed', {}, [join(temp.checkout.root, 'no-such-node'), FIXTURE_SERVICE]);
      if (backend === 'launchd') {
        // launchd's transient `xpcproxy` (spawning): starting, held long enough to be asked ten times.
        process.env.FAKE_LAUNCHCTL_XPCPROXY_MS = '600000';
        await stage('spawning', 'starting');
        delete process.env.FAKE_LAUNCHCTL_XPCPROXY_MS;
      }
      // From here on only reading commands run: every launchctl and systemctl call is one of them,
      // also while the units settle into their states (status is what tells when they did).
      const launchctlCalls = join(machine.env.FAKE_LAUNCHCTL_STATE!, 'calls.log');
      const calls = () => (backend === 'launchd' ? readFileSync(launchctlCalls, 'utf8') : '');
      // The loaded jobs, by their state files; a `.tmp` file is the fake's launchd rewriting a job's
      // state (a crash-looping job's runs) at that moment, not a job.
      const loadedJobs = () =>
        backend === 'launchd'
          ? readdirSync(join(machine.env.FAKE_LAUNCHCTL_STATE!, 'jobs'))
              .filter((name) => !name.endsWith('.tmp'))
              .sort()
          : [];
      const callsBefore = calls().length;
      const jobsBefore = loadedJobs();
      writeFileSync(shimLog, '');
      const { health } = await waitForHealthy(supervisor, gateway);
      const refs = [...expected.keys()].map((label) => ({
        label,
        service: label.split('.')[2]!,
        checkoutId: temp.checkout.id,
      }));
      const settled = await waitFor(
        async () => {
          const states = await Promise.all(refs.map((ref) => supervisor.status(ref)));
          return states.every((s, i) => s.state === expected.get(refs[i]!.label)) ? states : undefined;
        },
        { timeoutMs: 45_000, maxIntervalMs: 500 },
      );
      expect(settled.ok, JSON.stringify(await Promise.all(refs.map((ref) => supervisor.status(ref))))).toBe(
        true,
      );

      const systemdProps = async () =>
        backend !== 'systemd'
          ? ''
          : (
              await runCommand(
                [
                  'systemctl',
                  '--user',
                  'show',
                  '-p',
                  'Id,ActiveState,SubState,MainPID,NRestarts,InvocationID,ActiveEnterTimestamp,StateChangeTimestamp',
                  ...refs
                    .filter((r) => expected.get(r.label) !== 'not-installed')
                    .map((r) => systemdUnitName(r.label)),
                ],
                { env: process.env },
              )
            ).stdout;
      const files = () => ({
        ...snapshotFiles(temp.checkout.stateDir.replace(/\/?$/, '')),
        ...snapshotFiles(machine.env.XDG_RUNTIME_DIR && join(machine.env.XDG_RUNTIME_DIR, 'systemd', 'user')),
        ...snapshotFiles(machine.env.NEXU_DEV_KEEPER_REGISTRY),
      });
      const propsBefore = await systemdProps();
      const filesBefore = files();
      for (let round = 0; round < 10; round++) {
        const report = await collectStatus({ checkout: temp.checkout, backend });
        expect(report.report.services.map((s) => s.state)).toEqual(['running', 'crashed', 'not-installed']);
        expect(report.report.services[0]?.pid).toBe(health.pid);
        const machineReport = await collectMachineStatus({ backends: [backend] });
        const mine = machineReport.services.filter((s) => s.checkout.id === temp.checkout.id);
        for (const row of mine) expect(row.state, row.label).toBe(expected.get(row.label));
        // The watch session's polls read each unit through `status` alone.
        for (const ref of refs) expect((await supervisor.status(ref)).state).toBe(expected.get(ref.label));
      }
      const systemctlVerbs = readFileSync(shimLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/^--user /, '').split(' ')[0]!);
      expect(systemctlVerbs.filter((verb) => !READING_VERBS.has(verb))).toEqual([]);
      if (backend === 'systemd') expect(systemctlVerbs.length).toBeGreaterThan(0);
      const launchctlVerbs = calls()
        .slice(callsBefore)
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as string[])[0]!);
      expect(launchctlVerbs.filter((verb) => !READING_LAUNCHCTL.has(verb))).toEqual([]);
      if (backend === 'launchd') expect(launchctlVerbs.length).toBeGreaterThan(0);
      expect(files()).toEqual(filesBefore);
      expect(loadedJobs()).toEqual(jobsBefore);
      expect(await systemdProps()).toBe(propsBefore);
    });
  },
);
