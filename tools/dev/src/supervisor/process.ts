import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { waitFor, writeFileAtomic } from '@nexu/service-kit';
import { parseServiceLabel } from '../checkout/service-identity.js';
import { LOCAL_EVENT_POLL } from '../os/local-event-poll.js';
import { processIdentity } from '../os/process-identity.js';
import { runtimeProgramPath } from '../os/runtime-program.js';
import { terminateGroup } from '../os/terminate-group.js';
import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP } from './crash-loop.js';
import type { KeeperState, RegistryEntry } from './keeper-state.js';
import { checkoutFieldsOf } from './machine-unit.js';
import { noteMissingNode } from './missing-node.js';
import { notInstalledStatus } from './not-installed-status.js';
import { resolvePlatform } from './platform.js';
import {
  type ProcessUnit,
  processUnitFields,
  processUnitNode,
  renderProcessUnit,
} from './render-process-unit.js';
import type {
  InstallOutcome,
  ListMachineOptions,
  MachineUnit,
  PreflightResult,
  ServiceState,
  ServiceStatus,
  Supervisor,
  UnitRef,
  UnitSpec,
} from './supervisor.js';
import { SupervisorError } from './supervisor-errors.js';
import { describeUnitDrift } from './unit-drift.js';
import { readJsonOrNull, readTextOrNull, removeFiles } from './unit-files.js';
import { STOP_GRACE_SECONDS } from './unit-policy.js';
import { waitForPortsFree } from './wait-for-ports-free.js';

export interface ProcessSupervisorOptions {
  /** Folder of unit files and keeper state: the checkout's `unitsDir`. */
  readonly unitsDir: string;
  readonly crashLoop?: CrashLoopPolicy;
  /** How long start/restart/stop wait for the keeper (default 10 s). */
  readonly timeoutMs?: number;
  /** The user's keeper registry (default: `ResolvedPlatform.keeperRegistryDir`). */
  readonly registryDir?: string;
}

const KEEPER_PATH = runtimeProgramPath('keeper');

/** Whether `pid` runs and is the process recorded with `startTime` (not a reused pid). */
async function isSameProcess(pid: number, startTime: string | null): Promise<boolean> {
  const identity = await processIdentity(pid);
  return identity !== null && (startTime === null || identity.startTime === startTime);
}

/** A keeper's state as the contract reports it; `keeperAlive` says whether its keeper still runs. */
function keeperStatus(label: string, state: KeeperState | null, keeperAlive: boolean, logHint: string) {
  const base = { label, pid: null, restarts: state?.restarts ?? 0, lastExit: state?.lastExit ?? null };
  if (!state) return { ...base, state: 'stopped' } satisfies ServiceStatus;
  let serviceState: ServiceState = state.state;
  let reason = state.reason ?? undefined;
  if (!keeperAlive && (serviceState === 'running' || serviceState === 'starting')) {
    serviceState = 'crashed';
    reason = `its keeper (pid ${state.keeper.pid}) is gone; see ${logHint}`;
  }
  const pid = serviceState === 'running' || serviceState === 'starting' ? (state.child?.pid ?? null) : null;
  return { ...base, state: serviceState, pid, ...(reason ? { reason } : {}) } satisfies ServiceStatus;
}

/**
 * The embedded backend: one detached keeper process per service (`keeper.mjs`), which runs the
 * service, restarts it on failure and reports through a state file and the user's keeper
 * registry (`ResolvedPlatform.keeperRegistryDir`). Works anywhere node runs.
 */
export class ProcessSupervisor implements Supervisor {
  readonly backend = 'process' as const;
  private readonly unitsDir: string;
  private readonly crashLoop: CrashLoopPolicy;
  private readonly timeoutMs: number;
  private readonly registryDir: string;

  constructor(options: ProcessSupervisorOptions) {
    this.unitsDir = options.unitsDir;
    this.crashLoop = options.crashLoop ?? DEFAULT_CRASH_LOOP;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.registryDir = options.registryDir ?? resolvePlatform().keeperRegistryDir;
  }

  async preflight(): Promise<PreflightResult> {
    return { ok: true };
  }

  async install(unit: UnitSpec): Promise<InstallOutcome> {
    await this.pruneRegistry();
    const rendered = renderProcessUnit(unit, this.crashLoop);
    const installed = await readTextOrNull(this.unitPath(unit.label));
    if (installed === rendered) return 'unchanged';
    // The keeper reads its unit once: a changed unit means a new keeper.
    const wasRunning = (await this.liveKeeper(unit.label)) !== null;
    if (wasRunning) await this.stop(unit);
    await writeFileAtomic(this.unitPath(unit.label), rendered);
    if (installed === null) return 'installed';
    if (wasRunning) await this.start(unit);
    return 'replaced';
  }

  async start(unit: UnitRef): Promise<void> {
    if ((await readTextOrNull(this.unitPath(unit.label))) === null) {
      throw new SupervisorError(unit.label, `Unable to start ${unit.service}: it is not installed`);
    }
    if (await this.liveKeeper(unit.label)) return;
    await removeFiles(this.statePath(unit.label));
    mkdirSync(this.unitsDir, { recursive: true });
    mkdirSync(this.registryDir, { recursive: true, mode: 0o700 });
    const log = openSync(this.keeperLogPath(unit.label), 'a');
    let spawnError: Error | undefined;
    try {
      // Detached + unref + stdio to a file: the keeper leads its own process group and outlives
      // the command (and terminal) that started it.
      const keeper = spawn(
        process.execPath,
        [KEEPER_PATH, this.unitPath(unit.label), this.statePath(unit.label), this.registryPath(unit.label)],
        {
          cwd: this.unitsDir,
          detached: true,
          stdio: ['ignore', log, log],
        },
      );
      keeper.once('error', (error) => {
        spawnError = error;
      });
      keeper.unref();
      // Our keeper, or one an interrupted earlier start spawned just before us: the keeper lock
      // lets only one of them run, and either one reporting is a started unit.
      const reported = await waitFor(
        async () => {
          if (spawnError) return spawnError;
          // Ours reported (it may have finished already: a service exiting 78 ends its keeper).
          const state = await this.readState(unit.label);
          if (!state) return undefined;
          if (state.keeper.pid === keeper.pid) return true;
          return (await isSameProcess(state.keeper.pid, state.keeper.startTime)) ? true : undefined;
        },
        { ...LOCAL_EVENT_POLL, timeoutMs: this.timeoutMs },
      );
      if (spawnError || !reported.ok) {
        throw new SupervisorError(
          unit.label,
          `Unable to start ${unit.service}: its keeper did not report${spawnError ? `: ${spawnError.message}` : ''}`,
          `See ${this.keeperLogPath(unit.label)}`,
        );
      }
    } finally {
      closeSync(log);
    }
  }

  async restart(unit: UnitRef): Promise<void> {
    const state = await this.liveKeeper(unit.label);
    if (!state) return this.start(unit);
    const oldPid = state.child?.pid;
    // SIGHUP: the keeper kills the service and starts it again at once (hot reload path).
    process.kill(state.keeper.pid, 'SIGHUP');
    const restarted = await waitFor(
      async () => {
        const now = await this.readState(unit.label);
        if (!now || now.state === 'stopped' || now.state === 'crashed') return true;
        return now.child !== null && now.child.pid !== oldPid;
      },
      { ...LOCAL_EVENT_POLL, timeoutMs: this.timeoutMs },
    );
    if (!restarted.ok) {
      throw new SupervisorError(unit.label, `Unable to restart ${unit.service}: no new process appeared`);
    }
  }

  /** Nothing retries forever here: the keeper's own breaker stops a failing service. */
  async abandon(_unit: UnitRef): Promise<void> {}

  async stop(unit: UnitRef): Promise<void> {
    const state = await this.readState(unit.label);
    if (state) {
      const graceMs = STOP_GRACE_SECONDS * 1000 + 2000;
      if (await isSameProcess(state.keeper.pid, state.keeper.startTime)) {
        await terminateGroup(state.keeper.pid, { graceMs });
      }
      // A keeper killed hard leaves its service behind (it leads its own group): stop it too.
      const after = (await this.readState(unit.label)) ?? state;
      if (after.child && (await isSameProcess(after.child.pid, after.child.startTime))) {
        await terminateGroup(after.child.pid, { graceMs });
      }
      if (after.state !== 'stopped' && after.state !== 'crashed') {
        await writeFileAtomic(
          this.statePath(unit.label),
          `${JSON.stringify({ ...after, child: null, state: 'stopped', reason: 'stopped' }, null, 2)}\n`,
        );
      }
    }
    await this.waitForUnitPortsFree(unit);
  }

  async uninstall(unit: UnitRef): Promise<void> {
    await this.stop(unit);
    await removeFiles(
      this.unitPath(unit.label),
      this.statePath(unit.label),
      `${this.statePath(unit.label)}.keeper-lock`,
      this.keeperLogPath(unit.label),
      this.registryPath(unit.label),
    );
  }

  async drift(unit: UnitSpec): Promise<readonly string[] | null> {
    const installed = await readTextOrNull(this.unitPath(unit.label));
    return describeUnitDrift(installed, unit, {
      render: (rendered) => renderProcessUnit(rendered, this.crashLoop),
      fields: processUnitFields,
      node: processUnitNode,
    });
  }

  async status(unit: UnitRef): Promise<ServiceStatus> {
    const installed = await readTextOrNull(this.unitPath(unit.label));
    const state = await this.readState(unit.label);
    const keeperAlive = state !== null && (await isSameProcess(state.keeper.pid, state.keeper.startTime));
    if (installed === null && !keeperAlive) return notInstalledStatus(unit.label);
    return noteMissingNode(
      keeperStatus(unit.label, state, keeperAlive, this.keeperLogPath(unit.label)),
      installed === null ? null : processUnitNode(installed),
    );
  }

  async listInstalled(checkoutId: string): Promise<UnitRef[]> {
    const names = await readdir(this.unitsDir).catch(() => [] as string[]);
    const units = new Map<string, UnitRef>();
    for (const name of names.filter((n) => n.endsWith('.unit.json'))) {
      const text = await readTextOrNull(join(this.unitsDir, name));
      try {
        const unit = JSON.parse(text ?? '') as ProcessUnit;
        if (unit.checkoutId === checkoutId) {
          units.set(unit.label, { label: unit.label, service: unit.service, checkoutId, port: unit.port });
        }
      } catch {
        // not one of ours, or half-written by hand: ignore
      }
    }
    // Keepers whose unit file went away with the state folder still run: the registry knows them.
    for (const entry of await this.readRegistry()) {
      if (entry.checkoutId !== checkoutId || units.has(entry.label)) continue;
      const running =
        (await isSameProcess(entry.keeper.pid, entry.keeper.startTime)) ||
        (entry.child !== null && (await isSameProcess(entry.child.pid, entry.child.startTime)));
      if (!running) continue;
      const { port } = checkoutFieldsOf(entry.env);
      units.set(entry.label, {
        label: entry.label,
        service: entry.service,
        checkoutId,
        ...(port ? { port } : {}),
      });
    }
    return [...units.values()];
  }

  async listMachine(options: ListMachineOptions = {}): Promise<MachineUnit[]> {
    const units: MachineUnit[] = [];
    for (const entry of await this.readRegistry()) {
      const parsed = parseServiceLabel(entry.label);
      if (!parsed || parsed.checkoutId !== entry.checkoutId || parsed.checkoutId === options.except) continue;
      const keeperAlive = await isSameProcess(entry.keeper.pid, entry.keeper.startTime);
      const child =
        entry.child && (await isSameProcess(entry.child.pid, entry.child.startTime)) ? entry.child : null;
      const installed = (await readTextOrNull(entry.unitPath).catch(() => null)) !== null;
      // Nothing of it runs or is installed any more (its keeper ended, its checkout went): not
      // listed. Listing only reads (`status --all`); a start forgets such entries (`pruneRegistry`).
      if (!keeperAlive && !child && !installed) continue;
      const status: ServiceStatus =
        !keeperAlive && child
          ? {
              label: entry.label,
              state: 'running',
              pid: child.pid,
              restarts: entry.restarts,
              lastExit: entry.lastExit,
              reason: `unsupervised: its keeper (pid ${entry.keeper.pid}) is gone`,
            }
          : // Its keeper log lies beside its unit file, in its own checkout's units folder.
            keeperStatus(
              entry.label,
              entry,
              keeperAlive,
              join(dirname(entry.unitPath), `${entry.label}.keeper.log`),
            );
      units.push({
        ...parsed,
        label: entry.label,
        backend: 'process',
        ...checkoutFieldsOf(entry.env),
        status,
      });
    }
    return units;
  }

  private unitPath(label: string) {
    return join(this.unitsDir, `${label}.unit.json`);
  }

  private statePath(label: string) {
    return join(this.unitsDir, `${label}.json`);
  }

  private keeperLogPath(label: string) {
    return join(this.unitsDir, `${label}.keeper.log`);
  }

  private registryPath(label: string) {
    return join(this.registryDir, `${label}.json`);
  }

  /**
   * The keeper's state: the newer of its copy in the units folder and its registry entry (the
   * former stops changing once the checkout is moved or deleted under the keeper).
   */
  private async readState(label: string): Promise<KeeperState | null> {
    const [local, registered] = await Promise.all([
      readJsonOrNull<KeeperState>(this.statePath(label)),
      readJsonOrNull<KeeperState>(this.registryPath(label)),
    ]);
    const valid = [local, registered].filter((s): s is KeeperState => s?.label === label);
    return valid.sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''))[0] ?? null;
  }

  /** Every well-formed entry of the keeper registry. */
  private async readRegistry(): Promise<RegistryEntry[]> {
    const names = await readdir(this.registryDir).catch(() => [] as string[]);
    const entries = await Promise.all(
      names
        .filter((name) => name.endsWith('.json'))
        .map((name) => readJsonOrNull<RegistryEntry>(join(this.registryDir, name))),
    );
    return entries.filter(
      (entry): entry is RegistryEntry =>
        typeof entry?.label === 'string' &&
        typeof entry.checkoutId === 'string' &&
        typeof entry.unitPath === 'string' &&
        typeof entry.keeper?.pid === 'number' &&
        typeof entry.env === 'object' &&
        entry.env !== null,
    );
  }

  /** Forgets registry entries of which nothing runs or is installed any more (their keeper ended, their checkout went). */
  private async pruneRegistry(): Promise<void> {
    for (const entry of await this.readRegistry()) {
      const gone =
        !(await isSameProcess(entry.keeper.pid, entry.keeper.startTime)) &&
        !(entry.child !== null && (await isSameProcess(entry.child.pid, entry.child.startTime))) &&
        (await readTextOrNull(entry.unitPath).catch(() => null)) === null;
      if (gone) await rm(this.registryPath(entry.label), { force: true });
    }
  }

  /** The keeper's state when the keeper recorded there still runs (pid and start time match). */
  private async liveKeeper(label: string): Promise<KeeperState | null> {
    const state = await this.readState(label);
    return state && (await isSameProcess(state.keeper.pid, state.keeper.startTime)) ? state : null;
  }

  private async waitForUnitPortsFree(unit: UnitRef): Promise<void> {
    const installed = await readTextOrNull(this.unitPath(unit.label));
    const ports = new Set<number>();
    if (unit.port) ports.add(unit.port);
    try {
      if (installed) ports.add((JSON.parse(installed) as ProcessUnit).port);
    } catch {
      // unreadable unit: only the port we were given
    }
    await waitForPortsFree(unit, ports, this.timeoutMs);
  }
}
