import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@nexu/service-kit';
import { isSameProcessSync } from '@nexu/service-kit/proc-stat';
import { readLockState } from '../checkout/lock.js';
import { parseServiceLabel } from '../checkout/service-identity.js';
import { runtimeProgramPath } from '../os/runtime-program.js';
import { terminateGroup } from '../os/terminate-group.js';
import { waitForInFolder } from '../os/wait-for-in-folder.js';
import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP } from './crash-loop.js';
import { keeperFiles } from './keeper-files.js';
import type { KeeperRequest, KeeperState, RegistryEntry } from './keeper-state.js';
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

/** A keeper or service process: its pid and start time (to tell it from a later process reusing the pid). */
interface KeeperProcess {
  readonly pid: number;
  readonly startTime: string | null;
}

/** Whether that process still runs (one /proc read on Linux): the wait loops ask it every few ms. */
const isRunningNow = (recorded: KeeperProcess) => isSameProcessSync(recorded.pid, recorded.startTime);

/** A keeper's state as the contract reports it; `keeperAlive` says whether its keeper still runs. */
function keeperStatus(label: string, state: KeeperState | null, keeperAlive: boolean, logHint: string) {
  const base = { label, pid: null, restarts: state?.restarts ?? 0, lastExit: state?.lastExit ?? null };
  if (!state) return { ...base, state: 'stopped' } satisfies ServiceStatus;
  let serviceState: ServiceState = state.state;
  let reason = state.reason ?? undefined;
  if (!keeperAlive && (serviceState === 'running' || serviceState === 'starting')) {
    serviceState = 'crashed';
    // A keeper killed hard leaves its services running, unsupervised: say so, and what takes them back.
    const orphan = state.child && isRunningNow(state.child) ? state.child.pid : null;
    reason =
      orphan === null
        ? `its keeper (pid ${state.keeper.pid}) is gone; see ${logHint}`
        : `its keeper (pid ${state.keeper.pid}) is gone and the service runs on unsupervised (pid ${orphan}): pnpm start takes it back; see ${logHint}`;
  }
  const pid = serviceState === 'running' || serviceState === 'starting' ? (state.child?.pid ?? null) : null;
  return { ...base, state: serviceState, pid, ...(reason ? { reason } : {}) } satisfies ServiceStatus;
}

/** A generation no other request has: time, pid and a few random bytes. */
const newGeneration = () => `${Date.now().toString(36)}-${process.pid}-${randomBytes(3).toString('hex')}`;

/**
 * The embedded backend: one detached keeper process per checkout (`keeper.mjs`), which runs all
 * its services, restarts each on failure and reports through a state file per service and the
 * user's keeper registry (`ResolvedPlatform.keeperRegistryDir`). A start, restart or stop writes
 * the service's request file and signals the keeper (SIGHUP), starting one when none runs; it
 * returns once the keeper reports the request carried out. Works anywhere node runs.
 */
export class ProcessSupervisor implements Supervisor {
  readonly backend = 'process' as const;
  private readonly unitsDir: string;
  private readonly crashLoop: CrashLoopPolicy;
  private readonly timeoutMs: number;
  private readonly registryDir: string;
  private readonly files: ReturnType<typeof keeperFiles>;

  constructor(options: ProcessSupervisorOptions) {
    this.unitsDir = options.unitsDir;
    this.crashLoop = options.crashLoop ?? DEFAULT_CRASH_LOOP;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.registryDir = options.registryDir ?? resolvePlatform().keeperRegistryDir;
    this.files = keeperFiles(this.unitsDir);
  }

  async preflight(): Promise<PreflightResult> {
    return { ok: true };
  }

  async install(unit: UnitSpec): Promise<InstallOutcome> {
    await this.pruneRegistry();
    const rendered = renderProcessUnit(unit, this.crashLoop);
    const installed = await readTextOrNull(this.unitPath(unit.label));
    if (installed === rendered) return 'unchanged';
    // The keeper reads a service's unit when it starts it: stop, rewrite, start again.
    const wasRunning = await this.isRunning(unit.label);
    if (wasRunning) await this.stop(unit);
    await writeFileAtomic(this.unitPath(unit.label), rendered);
    if (installed === null) return 'installed';
    if (wasRunning) await this.start(unit);
    return 'replaced';
  }

  async start(unit: UnitRef): Promise<void> {
    await this.assertInstalled(unit);
    const [state, request, keeper] = await Promise.all([
      this.readState(unit.label),
      this.readRequest(unit.label),
      this.liveKeeper(),
    ]);
    const running =
      keeper !== null &&
      state?.keeper.pid === keeper.pid &&
      request?.run === true &&
      state.generation === request.generation &&
      (state.state === 'running' || state.state === 'starting');
    if (running) return;
    await this.retireLostKeeper(state);
    await this.ask(unit, true, 'start');
  }

  async restart(unit: UnitRef): Promise<void> {
    await this.assertInstalled(unit);
    await this.retireLostKeeper(await this.readState(unit.label));
    // A new generation: the keeper kills the service and starts it again at once (hot reload path).
    await this.ask(unit, true, 'restart');
  }

  /** Nothing retries forever here: the keeper's own breaker stops a failing service. */
  async abandon(_unit: UnitRef): Promise<void> {}

  async stop(unit: UnitRef): Promise<void> {
    const [state, request] = await Promise.all([this.readState(unit.label), this.readRequest(unit.label)]);
    if (state || request) {
      await this.retireLostKeeper(state);
      const graceMs = STOP_GRACE_SECONDS * 1000 + 2000;
      // A deleted checkout's folder stays gone (no request is written): its keeper, lost, was ended above.
      const generation = await this.writeRequest(unit.label, false).catch(() => null);
      if (generation !== null) {
        await this.converge(unit, generation, { spawn: false, verb: 'stop', timeoutMs: graceMs + 1000 });
      }
      // A keeper killed hard leaves its service behind (it leads its own group): stop it too.
      const after = (await this.readState(unit.label)) ?? state;
      if (after?.child && isRunningNow(after.child)) await terminateGroup(after.child.pid, { graceMs });
      if (after && (after.child || (after.state !== 'stopped' && after.state !== 'crashed'))) {
        const stopped: KeeperState = {
          ...after,
          child: null,
          state: 'stopped',
          reason: 'stopped',
          generation: generation ?? after.generation ?? null,
          updatedAt: new Date().toISOString(),
        };
        await writeFileAtomic(this.statePath(unit.label), `${JSON.stringify(stopped, null, 2)}\n`, {
          createDir: false,
        }).catch(() => undefined);
      }
    }
    await this.waitForUnitPortsFree(unit);
  }

  async uninstall(unit: UnitRef): Promise<void> {
    await this.stop(unit);
    await removeFiles(
      this.unitPath(unit.label),
      this.files.request(unit.label),
      this.statePath(unit.label),
      this.registryPath(unit.label),
      // What a keeper per service (before one per checkout) left.
      `${this.statePath(unit.label)}.keeper-lock`,
      join(this.unitsDir, `${unit.label}.keeper.log`),
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
    const keeperAlive = state !== null && isSameProcessSync(state.keeper.pid, state.keeper.startTime);
    if (installed === null && !keeperAlive) return notInstalledStatus(unit.label);
    return noteMissingNode(
      keeperStatus(unit.label, state, keeperAlive, this.files.log),
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
        isSameProcessSync(entry.keeper.pid, entry.keeper.startTime) ||
        (entry.child !== null && isSameProcessSync(entry.child.pid, entry.child.startTime));
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
      const keeperAlive = isSameProcessSync(entry.keeper.pid, entry.keeper.startTime);
      const child =
        entry.child && isSameProcessSync(entry.child.pid, entry.child.startTime) ? entry.child : null;
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
          : // Its keeper's log lies beside its unit file, in its own checkout's units folder.
            keeperStatus(entry.label, entry, keeperAlive, keeperFiles(dirname(entry.unitPath)).log);
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
    return this.files.unit(label);
  }

  private statePath(label: string) {
    return this.files.state(label);
  }

  private registryPath(label: string) {
    return join(this.registryDir, `${label}.json`);
  }

  private async assertInstalled(unit: UnitRef): Promise<void> {
    if ((await readTextOrNull(this.unitPath(unit.label))) === null) {
      throw new SupervisorError(unit.label, `Unable to start ${unit.service}: it is not installed`);
    }
  }

  private readRequest(label: string): Promise<KeeperRequest | null> {
    return readJsonOrNull<KeeperRequest>(this.files.request(label));
  }

  /**
   * Writes a new request for the service (never creating the units folder: a deleted checkout's
   * stays gone); resolves to its generation.
   */
  private async writeRequest(label: string, run: boolean): Promise<string> {
    const request: KeeperRequest = { version: 1, run, generation: newGeneration() };
    // Not fsynced: a request only matters to the keeper running now.
    await writeFileAtomic(this.files.request(label), `${JSON.stringify(request)}\n`, {
      createDir: false,
      durable: false,
    });
    return request.generation;
  }

  /** Asks the checkout's keeper to (re)start the service, starting a keeper when none runs. */
  private async ask(unit: UnitRef, run: true, verb: 'start' | 'restart'): Promise<void> {
    mkdirSync(this.registryDir, { recursive: true, mode: 0o700 });
    const generation = await this.writeRequest(unit.label, run);
    await this.converge(unit, generation, { spawn: true, verb, timeoutMs: this.timeoutMs });
  }

  /**
   * Signals the checkout's keeper (SIGHUP) and waits until it reports the service's latest request
   * carried out (ours, or a newer one another command wrote meanwhile). With `spawn`, a keeper is
   * started whenever none runs (none yet, or one ended as it went idle); without, the wait ends
   * when no keeper runs.
   */
  private async converge(
    unit: UnitRef,
    generation: string,
    options: { spawn: boolean; verb: 'start' | 'restart' | 'stop'; timeoutMs: number },
  ): Promise<void> {
    const signalled = new Set<number>();
    let spawned: ChildProcess | undefined;
    let spawnError: Error | undefined;
    /** Whether a keeper runs (or ours is starting), after signalling it once. */
    const wake = async (): Promise<boolean> => {
      const keeper = await this.liveKeeper();
      if (keeper) {
        if (!signalled.has(keeper.pid)) {
          signalled.add(keeper.pid);
          try {
            process.kill(keeper.pid, 'SIGHUP');
          } catch {
            // ended meanwhile: the next look starts another
          }
        }
        return true;
      }
      if (spawned && spawned.exitCode === null && spawned.signalCode === null) return true;
      if (!options.spawn) return false;
      spawned = this.spawnKeeper((error) => {
        spawnError = error;
      });
      return true;
    };
    await wake();
    const done = await waitForInFolder(
      this.unitsDir,
      async () => {
        if (spawnError) return spawnError;
        // The report in the units folder, which the keeper writes after the registry copy: once it
        // is seen, the keeper has no write of it left that could bring back a removed file.
        const [state, request] = await Promise.all([
          readJsonOrNull<KeeperState>(this.statePath(unit.label)),
          this.readRequest(unit.label),
        ]);
        const wanted = request ?? { run: options.verb !== 'stop', generation };
        if (state?.generation === wanted.generation && (wanted.run || !state.child)) return true;
        return (await wake()) ? undefined : true;
      },
      { timeoutMs: options.timeoutMs },
    );
    if (options.verb === 'stop') return; // stop makes sure of the rest itself
    if (spawnError || !done.ok || done.value instanceof Error) {
      throw new SupervisorError(
        unit.label,
        `Unable to ${options.verb} ${unit.service}: its keeper did not report${spawnError ? `: ${spawnError.message}` : ''}`,
        `See ${this.files.log}`,
      );
    }
  }

  /** Starts the checkout's keeper, detached: it leads its own process group and outlives the command (and terminal). */
  private spawnKeeper(onError: (error: Error) => void): ChildProcess {
    mkdirSync(this.unitsDir, { recursive: true });
    const log = openSync(this.files.log, 'a');
    try {
      const keeper = spawn(process.execPath, [KEEPER_PATH, this.unitsDir, this.registryDir], {
        cwd: this.unitsDir,
        detached: true,
        stdio: ['ignore', log, log],
      });
      keeper.once('error', onError);
      keeper.unref();
      return keeper;
    } finally {
      closeSync(log);
    }
  }

  /** The checkout's keeper, when one runs: the live process its lock names. */
  private async liveKeeper(): Promise<KeeperProcess | null> {
    const lock = await readLockState(this.files.lock);
    return lock.state === 'held' ? { pid: lock.holder.pid, startTime: lock.holder.startTime || null } : null;
  }

  /** Whether the service runs (or waits to restart) under a live keeper. */
  private async isRunning(label: string): Promise<boolean> {
    const state = await this.readState(label);
    return (
      state !== null &&
      (state.state === 'running' || state.state === 'starting') &&
      isRunningNow(state.keeper)
    );
  }

  /**
   * Ends a keeper that runs the service but is not the checkout's keeper (the one `keeper.lock`
   * names), so cannot see its requests and would restart the service behind the new one's back:
   * one whose units folder was deleted (and maybe made again) under it, or one a version of nexu
   * dev with a keeper per service started. SIGTERM stops its services and ends it.
   */
  private async retireLostKeeper(state: KeeperState | null): Promise<void> {
    if (!state || !isRunningNow(state.keeper)) return;
    if ((await this.liveKeeper())?.pid === state.keeper.pid) return;
    await terminateGroup(state.keeper.pid, { graceMs: STOP_GRACE_SECONDS * 1000 + 2000 });
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
        !isSameProcessSync(entry.keeper.pid, entry.keeper.startTime) &&
        !(entry.child !== null && isSameProcessSync(entry.child.pid, entry.child.startTime)) &&
        (await readTextOrNull(entry.unitPath).catch(() => null)) === null;
      if (gone) await rm(this.registryPath(entry.label), { force: true });
    }
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
