import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type Checkout, findRepoRoot } from '../checkout/checkout.js';
import { type StartOptions, type StartReport, startServices } from '../commands/start.js';
import { stopServices } from '../commands/stop.js';
import { createMemoryReporter } from '../format/reporter.js';
import { listMachineServices } from '../machine/machine-services.js';
import { stopMachineUnit } from '../machine/stop-machine-unit.js';
import { isPortFree } from '../os/port-free.js';
import { findPortOwner } from '../os/port-owner.js';
import { processIdentity } from '../os/process-identity.js';
import { RUNTIME_DIR } from '../os/runtime-program.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import { SERVICES, type ServiceName, type ServiceSpec } from '../services/manifest.js';
import { resolvePlatform } from '../supervisor/platform.js';
import { selectSupervisor } from '../supervisor/select-supervisor.js';
import type { BackendName, Supervisor } from '../supervisor/supervisor.js';
import { isBackendAvailable } from '../test-support/backend-available.js';
import { createIsolatedMachine, type IsolatedMachine } from '../test-support/isolated-machine.js';
import { launchdTestPlatform, loadedLaunchdLabels } from '../test-support/launchd-test-platform.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';

/** The backends every fault scenario runs on. */
export const FAULT_BACKENDS: readonly BackendName[] = ['systemd', 'process', 'launchd'];

export const repoRoot = findRepoRoot(import.meta.dirname);
/** Where this machine's launchd is: the real launchctl on a Mac, the fake one elsewhere. */
const launchdPlatform = launchdTestPlatform();
export const fixturesDir = join(RUNTIME_DIR, 'fixtures');

/** A process that is not ours, recorded with its start time so "untouched" can be checked exactly. */
export interface ForeignProcess {
  readonly pid: number;
  readonly startTime: string;
  /** Port it listens on, when it listens. */
  readonly port: number | undefined;
  readonly host: string;
  readonly child: ChildProcess;
}

/**
 * Starts a foreign process (no checkout marker in its environment, own process group): a TCP
 * listener on `port` and `host` when given (0: any free port, chosen by the listener itself so
 * that no other test can take it between a check and the bind), else a plain sleeper. Resolves
 * once it listens, with the port it holds; throws with the listener's own answer when it cannot.
 */
export async function spawnForeign(options: { port?: number; host?: string } = {}): Promise<ForeignProcess> {
  const { port, host = '127.0.0.1' } = options;
  const code =
    port === undefined
      ? 'setInterval(() => {}, 1 << 30)'
      : `const server = require('node:net').createServer();
         server.on('error', (error) => { console.log('cannot listen: ' + error.code); process.exit(1); });
         server.listen({ port: ${port}, host: ${JSON.stringify(host)}, exclusive: true }, () =>
           console.log('listening ' + server.address().port));`;
  const child = spawn(process.execPath, ['-e', code], {
    stdio: ['ignore', port === undefined ? 'ignore' : 'pipe', 'ignore'],
    detached: true,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  const pid = child.pid!;
  let listening: number | undefined;
  if (port !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    const answer = await new Promise<string>((resolve) => {
      let out = '';
      timer = setTimeout(() => resolve('no answer in 15 s'), 15_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => resolve(out.trim() || `exited ${code}`));
      child.on('error', (error) => resolve(error.message));
    }).finally(() => {
      clearTimeout(timer);
      child.stdout!.destroy();
    });
    const bound = /^listening (\d+)$/.exec(answer);
    if (!bound) {
      killForeign({ pid, startTime: '', port, host, child });
      throw new Error(`foreign listener on ${host}:${port} did not come up: ${answer}`);
    }
    listening = Number(bound[1]);
  }
  const identity = await waitFor(() => processIdentity(pid).then((i) => i ?? undefined), {
    timeoutMs: 2_000,
  });
  if (!identity.ok) throw new Error(`foreign process ${pid} vanished`);
  return { pid, startTime: identity.value.startTime, port: listening, host, child };
}

/** Whether the foreign process still runs as the very same process (same pid and start time). */
export async function isIntact(foreign: ForeignProcess): Promise<boolean> {
  const identity = await processIdentity(foreign.pid);
  return identity !== null && identity.startTime === foreign.startTime && !/^[ZX]/.test(identity.command);
}

function killForeign(foreign: ForeignProcess): void {
  try {
    process.kill(-foreign.pid, 'SIGKILL');
  } catch {}
}

/** systemd units (any state) whose name carries `checkoutId`. */
export function listSystemdUnits(checkoutId: string): string[] {
  const platform = resolvePlatform();
  if (!platform.runtimeDir) return [];
  try {
    const out = execFileSync(
      'systemctl',
      ['--user', 'list-units', '--all', '--no-legend', '--plain', 'io.nexu.*'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...platform.systemctlEnv },
      },
    );
    return out
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter((unit) => unit.includes(`.${checkoutId}.`));
  } catch {
    return [];
  }
}

/** Copies a fixture program into a service's `dist/` of a temp checkout; returns its entry (relative to the service dir). */
export function installFixture(checkout: Checkout, service: ServiceName, fixture: string): string {
  const spec = SERVICES.find((s) => s.name === service)!;
  copyFileSync(join(fixturesDir, fixture), join(checkout.root, spec.dir, 'dist', fixture));
  return `dist/${fixture}`;
}

/** The manifest with one entry changed (the "manifest variant" used to inject faulty services). */
export function withService(name: ServiceName, change: (spec: ServiceSpec) => ServiceSpec): ServiceSpec[] {
  return SERVICES.map((s) => (s.name === name ? change(s) : s));
}

/** Adds environment to one service of the manifest. */
export function withEnv(name: ServiceName, extra: Record<string, string>): ServiceSpec[] {
  return withService(name, (s) => ({ ...s, env: (ports) => ({ ...s.env(ports), ...extra }) }));
}

/** Pids of this checkout's service processes, grouped by service (from their argv). */
export async function servicePids(checkoutId: string): Promise<Record<ServiceName, number[]>> {
  const grouped: Record<ServiceName, number[]> = { gateway: [], controller: [], web: [] };
  for (const pid of await findMarkedProcesses(checkoutId)) {
    const identity = await processIdentity(pid);
    const spec = SERVICES.find((s) => identity?.argv.some((arg) => arg.includes(`/${s.dir}/`)));
    if (spec) grouped[spec.name].push(pid);
  }
  return grouped;
}

/** Last resort after a failed stop: uninstall every unit of the checkout, kill its marked processes. */
async function forceCleanup(checkout: Checkout): Promise<void> {
  for (const backend of FAULT_BACKENDS) {
    const supervisor = await selectSupervisor({ backend, checkout }).catch(() => undefined);
    for (const unit of (await supervisor?.listInstalled(checkout.id)) ?? []) {
      await supervisor?.uninstall(unit).catch(() => undefined);
    }
  }
  for (const pid of await findMarkedProcesses(checkout.id)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

/**
 * Copies a checkout's state that explains a failure (service logs, units and keeper logs, the
 * ledger) out of the temp checkout into `<tmp>/nexu-fault-logs/`; returns the folder.
 */
function keepLogs(checkout: Checkout, scenario: string): string {
  const target = join(
    tmpdir(),
    'nexu-fault-logs',
    `${new Date().toISOString().replace(/[:.]/g, '-')}-${scenario.replace(/[^a-z0-9-]+/gi, '-').slice(0, 80)}`,
  );
  mkdirSync(target, { recursive: true });
  for (const [from, to] of [
    [checkout.logsDir, 'logs'],
    [checkout.unitsDir, 'units'],
    [checkout.ledgerPath, 'runtime.json'],
  ] as const) {
    if (existsSync(from)) cpSync(from, join(target, to), { recursive: true });
  }
  return target;
}

/**
 * Units on the machine (every backend) of the given checkout ids, or whose recorded root lies in
 * one of `parents`: what a test checkout left behind, also once it was deleted or moved (orphans).
 */
async function leftUnits(ids: ReadonlySet<string>, parents: readonly string[]) {
  const { services } = await listMachineServices();
  return services.filter(
    ({ unit }) =>
      ids.has(unit.checkoutId) ||
      (unit.root !== null && parents.some((parent) => unit.root!.startsWith(parent + sep))),
  );
}

/** What one fault test file shares for one backend: temp checkouts, foreign sentinels, cleanup. */
export interface FaultContext {
  readonly backend: BackendName;
  /** False when the backend cannot run here (tests skip; CI fails in beforeAll). */
  available(): boolean;
  /** A fresh temp checkout, stopped and removed after the test (`cli`: with its own CLI sources). */
  open(name?: string, options?: { cli?: boolean }): Checkout;
  /**
   * A checkout the test made itself inside an opened one's temp folder (a git worktree, a moved
   * copy): stopped and checked like an opened one after the test, removed with that folder.
   */
  register(checkout: Checkout): Checkout;
  /** The test file's own machine (with `isolated`), whose environment spawned commands need. */
  machine(): IsolatedMachine | undefined;
  /** `startServices` on this backend with a recording reporter. */
  start(checkout: Checkout, options?: Partial<StartOptions>): Promise<StartReport>;
  /** This backend's supervisor for `checkout`. */
  supervisor(checkout: Checkout): Promise<Supervisor>;
  /** A foreign process checked intact after the test, and killed then. */
  foreign(options?: { port?: number; host?: string }): Promise<ForeignProcess>;
  /** The file-wide foreign sentinel (a listener), checked intact after every test. */
  sentinel(): ForeignProcess;
}

/**
 * Registers the hooks of one `describe` block: a file-wide foreign sentinel; after each test every
 * temp checkout is stopped and checked empty (no marked process, no unit, no listener, and no unit
 * anywhere on the machine recorded at its place: no orphan) and every foreign process checked
 * untouched; after all, no unit of any checkout of the block is left. With `isolated`, the block
 * runs on a machine of its own (see `createIsolatedMachine`): required for `--orphans` and `--all`.
 */
export function useFaultContext(backend: BackendName, options: { isolated?: boolean } = {}): FaultContext {
  let available = true;
  let sentinel: ForeignProcess | undefined;
  let machine: IsolatedMachine | undefined;
  const opened: TempCheckout[] = [];
  const registered: Checkout[] = [];
  const ports = new Map<string, Set<number>>();
  const foreigners: ForeignProcess[] = [];
  const ids = new Set<string>();

  beforeAll(async () => {
    available = await isBackendAvailable(backend);
    if (options.isolated) {
      machine = await createIsolatedMachine();
      machine.enter();
      if (backend === 'systemd' && !machine.systemd) available = false;
    }
    sentinel = await spawnForeign({ port: 0 });
  });

  afterEach(async (context) => {
    const problems: string[] = [];
    const failed = context.task.result?.state === 'fail';
    const temps = opened.splice(0);
    const parents = temps.map((temp) => dirname(temp.checkout.root));
    const checkouts = [...registered.splice(0), ...temps.map((temp) => temp.checkout)];
    for (const checkout of checkouts) {
      if (!existsSync(checkout.root)) continue; // deleted or moved by the test: the orphan check below
      // The checkout is deleted below: keep what tells why a failed scenario failed.
      if (failed)
        console.error(`[faults] logs of the failed scenario: ${keepLogs(checkout, context.task.name)}`);
      await stopServices({ checkout, reporter: createMemoryReporter() }).catch((error: Error) =>
        problems.push(`stop failed for ${checkout.root}: ${error.message}`),
      );
    }
    const orphans = await leftUnits(ids, parents);
    if (orphans.length > 0) {
      problems.push(
        `units of test checkouts left: ${orphans.map((s) => `${s.unit.label} (${s.presence})`).join(', ')}`,
      );
      for (const { unit } of orphans) await stopMachineUnit(unit, { orphan: false });
    }
    for (const checkout of checkouts) {
      const marked = await findMarkedProcesses(checkout.id);
      if (marked.length > 0) problems.push(`processes of ${checkout.id} left: ${marked.join(', ')}`);
      const units = [
        ...listSystemdUnits(checkout.id),
        ...(await loadedLaunchdLabels(checkout.id, launchdPlatform)),
      ];
      if (units.length > 0) problems.push(`units of ${checkout.id} left: ${units.join(', ')}`);
      for (const port of ports.get(checkout.id) ?? []) {
        if (await isPortFree(port)) continue;
        // Busy is a leftover only if the holder is ours: tests run in parallel, and another test
        // checkout (same port offset) or a sentinel may hold one of our preferred ports.
        const owner = await findPortOwner(port);
        const holder = owner.status === 'listening' ? await processIdentity(owner.pid) : null;
        if (holder && holder.instance !== checkout.id) continue;
        problems.push(`port ${port} of ${checkout.id} still busy`);
      }
      // Reported above; still leave nothing behind for the next run (or another engineer).
      if (problems.length > 0) {
        if (!failed)
          console.error(`[faults] logs of the leftover check: ${keepLogs(checkout, context.task.name)}`);
        await forceCleanup(checkout);
      }
    }
    for (const temp of temps) temp.remove();
    for (const foreign of [...foreigners.splice(0), ...(sentinel ? [sentinel] : [])]) {
      if (!(await isIntact(foreign))) problems.push(`foreign pid ${foreign.pid} was touched`);
      else if (foreign.port !== undefined && (await isPortFree(foreign.port, foreign.host))) {
        problems.push(`foreign pid ${foreign.pid} no longer listens on ${foreign.port}`);
      }
      if (foreign !== sentinel) killForeign(foreign);
    }
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    if (sentinel) killForeign(sentinel);
    try {
      for (const id of ids) {
        expect(listSystemdUnits(id)).toEqual([]);
        expect(await loadedLaunchdLabels(id, launchdPlatform)).toEqual([]);
        expect(await findMarkedProcesses(id)).toEqual([]);
      }
      expect((await leftUnits(ids, [])).map((s) => s.unit.label)).toEqual([]);
    } finally {
      // Its manager stops whatever it still runs: nothing of an isolated machine outlives the file.
      await machine?.close();
    }
  });

  return {
    backend,
    available: () => available,
    open(name, options = {}) {
      const temp = createTempCheckout({ name, ...options });
      opened.push(temp);
      ids.add(temp.checkout.id);
      return temp.checkout;
    },
    register(checkout) {
      registered.push(checkout);
      ids.add(checkout.id);
      return checkout;
    },
    machine: () => machine,
    async start(checkout, options = {}) {
      const report = await startServices({ checkout, backend, reporter: createMemoryReporter(), ...options });
      const known = ports.get(checkout.id) ?? new Set<number>();
      for (const s of report.services) known.add(s.port);
      ports.set(checkout.id, known);
      return report;
    },
    supervisor: (checkout) => selectSupervisor({ backend, checkout }),
    async foreign(options) {
      const foreign = await spawnForeign(options);
      foreigners.push(foreign);
      return foreign;
    },
    sentinel: () => sentinel!,
  };
}
