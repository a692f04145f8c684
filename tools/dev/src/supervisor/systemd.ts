import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@nexu/service-kit';
import { parseServiceLabel } from '../checkout/service-identity.js';
import {
  COMMAND_NOT_FOUND,
  type CommandResult,
  type CommandRunner,
  runChecked,
  runCommand,
} from '../os/command-runner.js';
import { createBatch } from '../os/create-batch.js';
import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP } from './crash-loop.js';
import { CRASH_LOOP_GUARD_PATH, readBrokenLoopRestarts, readCrashedReason } from './crash-loop-guard.js';
import { GUARD_ENV } from './guard-env.js';
import { listUnitFiles } from './list-unit-files.js';
import { checkoutFieldsOf } from './machine-unit.js';
import { noteMissingNode } from './missing-node.js';
import { notInstalledStatus } from './not-installed-status.js';
import {
  parseSystemctlShowUnits,
  readFailedStart,
  SHOW_PROPERTIES,
  type SystemctlShow,
  systemdState,
  USER_MANAGER_PROBE,
  userManagerAnswered,
} from './parse-systemctl-show.js';
import { type ResolvedPlatform, resolvePlatform } from './platform.js';
import {
  parseEnvironmentNames,
  renderSystemdUnit,
  systemdUnitEnvironment,
  systemdUnitFields,
  systemdUnitName,
  systemdUnitNode,
  systemdUnsetNames,
} from './render-systemd-unit.js';
import type {
  InstallOutcome,
  ListMachineOptions,
  MachineUnit,
  PreflightResult,
  ServiceStatus,
  Supervisor,
  UnitRef,
  UnitSpec,
} from './supervisor.js';
import { describeUnitDrift } from './unit-drift.js';
import { readTextOrNull, removeFiles } from './unit-files.js';
import { waitForPortsFree } from './wait-for-ports-free.js';

export interface SystemdSupervisorOptions {
  /** The checkout's `unitsDir`: a copy of every unit is kept there for inspection. */
  readonly unitsDir: string;
  readonly runner?: CommandRunner;
  readonly platform?: ResolvedPlatform;
  readonly crashLoop?: CrashLoopPolicy;
  /** How long stop waits for the port to be free (default 10 s). */
  readonly timeoutMs?: number;
}

const CONTAINER_FIX = 'in a container or CI run `pnpm exec tsx scripts/systemd-user-manager.ts start`';

/** Advice for a failed `systemctl --user` call. */
function systemctlAdvice(result: CommandResult): string | undefined {
  if (/Failed to connect to bus|No medium found|Connection refused/.test(result.stderr)) {
    return `No systemd user manager answers: log in through a session, run \`loginctl enable-linger $USER\`, or ${CONTAINER_FIX}.`;
  }
  if (result.exitCode === COMMAND_NOT_FOUND)
    return 'systemctl is not installed: use NEXU_DEV_BACKEND=process.';
  return undefined;
}

const ACTIVE = new Set(['active', 'activating', 'reloading']);

/**
 * systemd --user backend: runtime units in `$XDG_RUNTIME_DIR/systemd/user` (gone at reboot). The
 * settings and answers it relies on: docs/platform.md, "systemd --user".
 */
export class SystemdSupervisor implements Supervisor {
  readonly backend = 'systemd' as const;
  private readonly unitsDir: string;
  private readonly runner: CommandRunner;
  private readonly platform: ResolvedPlatform;
  private readonly crashLoop: CrashLoopPolicy;
  private readonly timeoutMs: number;
  private readonly shows = createBatch((labels: readonly string[]) => this.showMany(labels));
  private nextReload: Promise<void> | undefined;
  private runningReload: Promise<void> | undefined;
  private managerEnv: Promise<readonly string[]> | undefined;

  constructor(options: SystemdSupervisorOptions) {
    this.unitsDir = options.unitsDir;
    this.runner = options.runner ?? runCommand;
    this.platform = options.platform ?? resolvePlatform();
    this.crashLoop = options.crashLoop ?? DEFAULT_CRASH_LOOP;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async preflight(): Promise<PreflightResult> {
    if (!this.platform.runtimeDir) {
      return {
        ok: false,
        reason: `XDG_RUNTIME_DIR is not set and /run/user/${this.platform.uid} does not exist, so there is no systemd user session: log in through a session (or \`loginctl enable-linger $USER\`), or ${CONTAINER_FIX}.`,
      };
    }
    const result = await this.systemctl(USER_MANAGER_PROBE);
    if (userManagerAnswered(result.stdout)) return { ok: true };
    return {
      ok: false,
      reason: `\`systemctl --user\` cannot reach a user manager (XDG_RUNTIME_DIR=${this.platform.runtimeDir}): ${
        result.stderr.trim() || result.stdout.trim() || `exit ${result.exitCode}`
      }. ${systemctlAdvice(result) ?? `Run \`loginctl enable-linger $USER\`, or ${CONTAINER_FIX}.`}`,
    };
  }

  async install(unit: UnitSpec): Promise<InstallOutcome> {
    const rendered = this.render(unit, await this.managerEnvNames());
    const path = this.unitPath(unit.label);
    const installed = await readTextOrNull(path);
    if (installed === rendered) {
      // The copy kept in the checkout's units folder went with a deleted `.tmp/dev`: written again.
      const copy = join(this.unitsDir, systemdUnitName(unit.label));
      if ((await readTextOrNull(copy)) === null) await writeFileAtomic(copy, rendered);
      const props = await this.show(unit.label);
      if (props.LoadState === 'not-found' || props.NeedDaemonReload === 'yes') await this.daemonReload();
      return 'unchanged';
    }
    const wasActive = installed !== null && ACTIVE.has((await this.show(unit.label)).ActiveState ?? '');
    // 0600: the unit's Environment= lines may carry a secret (NEXU_GATEWAY_TOKEN).
    await writeFileAtomic(path, rendered);
    await writeFileAtomic(join(this.unitsDir, systemdUnitName(unit.label)), rendered);
    await this.daemonReload();
    if (installed === null) return 'installed';
    if (wasActive) await this.restart(unit);
    return 'replaced';
  }

  async start(unit: UnitRef): Promise<void> {
    // A unit stopped by its start limit refuses to start until the counter is reset; an explicit
    // start begins a new crash-loop window.
    await Promise.all([
      this.systemctl(['reset-failed', systemdUnitName(unit.label)]),
      this.clearGuard(unit.label),
    ]);
    await this.job('start', unit.label);
  }

  async restart(unit: UnitRef): Promise<void> {
    // An explicit restart (a hot reload) begins a new crash-loop window of the guard. systemd's own
    // start limit counts explicit restarts too; it is only a backstop (a burst several times the
    // guard's), so it is reset only when it refuses one: one systemctl call per hot reload.
    await this.clearGuard(unit.label);
    await this.job('restart', unit.label, { resetStartLimit: true });
  }

  /**
   * Runs a start or restart job. A failed job whose program did run (it exited at once, before
   * systemd 252-255 noticed it had started: see `readFailedStart`) counts as launched; any other
   * failure throws, saying how its process ended.
   */
  private async job(
    verb: 'start' | 'restart',
    label: string,
    options: { resetStartLimit?: boolean } = {},
  ): Promise<void> {
    const name = systemdUnitName(label);
    const since = process.hrtime.bigint() / 1000n;
    try {
      await this.checked([verb, name]);
    } catch (error) {
      const props = await this.show(label);
      if (options.resetStartLimit && props.Result === 'start-limit-hit') {
        await this.systemctl(['reset-failed', name]);
        return this.job(verb, label);
      }
      const { ran, ended } = readFailedStart(props, since);
      if (ran) return;
      if (ended && error instanceof Error) error.message += `\n  ${name}: ${ended}`;
      throw error;
    }
  }

  /** Nothing retries forever here: the crash-loop guard and the start limit stop a failing unit. */
  async abandon(_unit: UnitRef): Promise<void> {}

  async stop(unit: UnitRef): Promise<void> {
    // Synchronous: returns once the whole control group is gone (SIGKILL after TimeoutStopSec).
    if ((await this.show(unit.label)).LoadState !== 'not-found') {
      await this.checked(['stop', systemdUnitName(unit.label)]);
    }
    await waitForPortsFree(unit, unit.port ? [unit.port] : [], this.timeoutMs);
  }

  async uninstall(unit: UnitRef): Promise<void> {
    await this.stop(unit);
    await removeFiles(this.unitPath(unit.label), join(this.unitsDir, systemdUnitName(unit.label)));
    await this.clearGuard(unit.label);
    // No daemon-reload: the manager drops a stopped unit whose file is gone by itself (garbage
    // collection); a failed one once its failed state is reset (docs/platform.md).
    await this.systemctl(['reset-failed', systemdUnitName(unit.label)]);
  }

  async status(unit: UnitRef): Promise<ServiceStatus> {
    const [props, installed] = await Promise.all([
      this.show(unit.label),
      readTextOrNull(this.unitPath(unit.label)),
    ]);
    if ((props.LoadState === 'not-found' || props.LoadState === undefined) && installed === null) {
      return notInstalledStatus(unit.label);
    }
    const status = await this.describe(unit.label, props, join(this.unitsDir, unit.label));
    return noteMissingNode(status, installed === null ? null : systemdUnitNode(installed));
  }

  /** A unit's status from its properties and its crash-loop guard's files (`guardBase`). */
  private async describe(label: string, props: SystemctlShow, guardBase: string): Promise<ServiceStatus> {
    const state = systemdState(props, this.crashLoop);
    // The guard stopped a crash loop: the unit ended with exit 0, which systemd does not restart.
    const crashed = state.state === 'stopped' ? await readCrashedReason(guardBase) : null;
    if (crashed) {
      const restarts = Math.max(state.restarts, await readBrokenLoopRestarts(guardBase));
      return { label, ...state, state: 'crashed', reason: crashed, restarts };
    }
    return { label, ...state };
  }

  async drift(unit: UnitSpec): Promise<readonly string[] | null> {
    const installed = await readTextOrNull(this.unitPath(unit.label));
    // A unit that already clears more of the manager's variables than are there now is no drift.
    const managerEnv = [
      ...new Set([...(await this.managerEnvNames()), ...(installed ? systemdUnsetNames(installed) : [])]),
    ];
    const drift = describeUnitDrift(installed, unit, {
      render: (rendered) => this.render(rendered, managerEnv),
      fields: systemdUnitFields,
      node: systemdUnitNode,
    });
    if (drift === null || drift.length > 0) return drift;
    // The file is right but the manager has not loaded it (changed on disk, or a new manager).
    const props = await this.show(unit.label);
    if (props.LoadState === 'not-found' || props.NeedDaemonReload === 'yes') return ['not loaded by systemd'];
    return [];
  }

  async listInstalled(checkoutId: string): Promise<UnitRef[]> {
    const dir = this.platform.systemdUserDir;
    if (!dir) return [];
    return listUnitFiles(dir, '.service', checkoutId, async (path) => {
      const port = /^Environment="PORT=(\d+)"$/m.exec((await readTextOrNull(path)) ?? '')?.[1];
      return port ? Number(port) : undefined;
    });
  }

  private render(unit: UnitSpec, managerEnv: readonly string[]): string {
    return renderSystemdUnit(
      unit,
      this.crashLoop,
      { path: CRASH_LOOP_GUARD_PATH, stateBase: join(this.unitsDir, unit.label), policy: this.crashLoop },
      managerEnv,
    );
  }

  /**
   * The names in the user manager's environment block (`systemctl --user show-environment`), which
   * it hands every unit: a manager started from a shell carries the shell's NODE_OPTIONS,
   * NODE_EXTRA_CA_CERTS, ... (docs/platform.md, "systemd --user"). Asked once per supervisor.
   */
  private managerEnvNames(): Promise<readonly string[]> {
    this.managerEnv ??= this.checked(['show-environment']).then((result) =>
      parseEnvironmentNames(result.stdout),
    );
    return this.managerEnv;
  }

  /** Forgets the guard's count and verdict: an explicit start begins a new window. */
  private clearGuard(label: string): Promise<void> {
    const base = join(this.unitsDir, label);
    return removeFiles(`${base}.starts`, `${base}.crashed`);
  }

  async listMachine(options: ListMachineOptions = {}): Promise<MachineUnit[]> {
    const dir = this.platform.systemdUserDir;
    if (!dir) return [];
    const names = await readdir(dir).catch(() => [] as string[]);
    const found: Array<Omit<MachineUnit, 'status'> & { guardBase: string }> = [];
    for (const name of names) {
      if (!name.endsWith('.service')) continue;
      const label = name.slice(0, -'.service'.length);
      const parsed = parseServiceLabel(label);
      if (!parsed || parsed.checkoutId === options.except) continue;
      const text = await readTextOrNull(join(dir, name)).catch(() => null);
      if (text === null) continue;
      const env = systemdUnitEnvironment(text);
      found.push({
        label,
        ...parsed,
        backend: 'systemd',
        ...checkoutFieldsOf(env),
        guardBase: env[GUARD_ENV.stateBase] ?? join(dir, label),
      });
    }
    // One `systemctl show` for all of them (the batch), each read as `status` reads it.
    return Promise.all(
      found.map(async ({ guardBase, ...unit }) => ({
        ...unit,
        status: await this.describe(unit.label, await this.show(unit.label), guardBase),
      })),
    );
  }

  private unitPath(label: string): string {
    if (!this.platform.systemdUserDir) {
      throw new Error(`No systemd user unit folder: XDG_RUNTIME_DIR is not set (${CONTAINER_FIX})`);
    }
    return join(this.platform.systemdUserDir, systemdUnitName(label));
  }

  private systemctl(args: readonly string[]) {
    return this.runner(['systemctl', '--user', ...args], { env: this.platform.systemctlEnv });
  }

  private checked(args: readonly string[]) {
    return runChecked(this.runner, ['systemctl', '--user', ...args], {
      env: this.platform.systemctlEnv,
      advice: systemctlAdvice,
    });
  }

  /**
   * `daemon-reload`, shared: units installed together (a start installs every changed unit at
   * once) wait for one reload. A request made while a reload runs gets the next one, which sees
   * its file.
   */
  private daemonReload(): Promise<void> {
    this.nextReload ??= (async () => {
      await this.runningReload?.catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      const run = this.checked(['daemon-reload']).then(() => undefined);
      this.runningReload = run;
      this.nextReload = undefined;
      return run;
    })();
    return this.nextReload;
  }

  private show(label: string): Promise<SystemctlShow> {
    return this.shows.get(label);
  }

  /** One `systemctl show` for every unit asked about in the same turn of the event loop. */
  private async showMany(labels: readonly string[]): Promise<SystemctlShow[]> {
    const names = labels.map(systemdUnitName);
    const result = await this.checked(['show', '-p', ['Id', ...SHOW_PROPERTIES].join(','), ...names]);
    const shown = parseSystemctlShowUnits(result.stdout);
    return names.map((name) => shown.get(name) ?? {});
  }
}
