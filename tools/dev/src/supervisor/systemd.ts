import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@nexu/service-kit';
import {
  COMMAND_NOT_FOUND,
  type CommandResult,
  type CommandRunner,
  runChecked,
  runCommand,
} from '../os/command-runner.js';
import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP } from './crash-loop.mjs';
import { listUnitFiles } from './list-unit-files.js';
import { checkoutFieldsOf, parseDevLabel } from './machine-unit.js';
import { notInstalledStatus } from './not-installed-status.js';
import {
  parseSystemctlShow,
  parseSystemctlShowUnits,
  SHOW_PROPERTIES,
  type SystemctlShow,
  systemdState,
} from './parse-systemctl-show.js';
import { type ResolvedPlatform, resolvePlatform } from './platform.js';
import {
  renderSystemdUnit,
  systemdUnitEnvironment,
  systemdUnitFields,
  systemdUnitName,
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
import { describeDrift } from './unit-drift.js';
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
    const result = await this.systemctl(['is-system-running']);
    // Exits non-zero when `degraded` etc.: only an empty answer means nobody is there.
    if (result.stdout.trim()) return { ok: true };
    return {
      ok: false,
      reason: `\`systemctl --user\` cannot reach a user manager (XDG_RUNTIME_DIR=${this.platform.runtimeDir}): ${
        result.stderr.trim() || `exit ${result.exitCode}`
      }. ${systemctlAdvice(result) ?? `Run \`loginctl enable-linger $USER\`, or ${CONTAINER_FIX}.`}`,
    };
  }

  async install(unit: UnitSpec): Promise<InstallOutcome> {
    const rendered = renderSystemdUnit(unit, this.crashLoop);
    const path = this.unitPath(unit.label);
    const installed = await readTextOrNull(path);
    if (installed === rendered) {
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
    // A unit stopped by its start limit refuses to start until the counter is reset.
    await this.systemctl(['reset-failed', systemdUnitName(unit.label)]);
    await this.checked(['start', systemdUnitName(unit.label)]);
  }

  async restart(unit: UnitRef): Promise<void> {
    // Manual restarts (hot reload) must not count towards the crash-loop breaker.
    await this.systemctl(['reset-failed', systemdUnitName(unit.label)]);
    await this.checked(['restart', systemdUnitName(unit.label)]);
  }

  async stop(unit: UnitRef): Promise<void> {
    // Synchronous: returns once the whole control group is gone (SIGKILL after TimeoutStopSec).
    if ((await this.show(unit.label)).LoadState !== 'not-found') {
      await this.checked(['stop', systemdUnitName(unit.label)]);
    }
    await waitForPortsFree(unit, unit.port ? [unit.port] : [], this.timeoutMs);
  }

  async uninstall(unit: UnitRef): Promise<void> {
    await this.stop(unit);
    const existed = (await readTextOrNull(this.unitPath(unit.label))) !== null;
    await removeFiles(this.unitPath(unit.label), join(this.unitsDir, systemdUnitName(unit.label)));
    if (existed) await this.daemonReload();
    await this.systemctl(['reset-failed', systemdUnitName(unit.label)]);
  }

  async status(unit: UnitRef): Promise<ServiceStatus> {
    const props = await this.show(unit.label);
    if (props.LoadState === 'not-found' || props.LoadState === undefined) {
      if ((await readTextOrNull(this.unitPath(unit.label))) === null) return notInstalledStatus(unit.label);
    }
    return { label: unit.label, ...systemdState(props, this.crashLoop) };
  }

  async drift(unit: UnitSpec): Promise<readonly string[] | null> {
    const installed = await readTextOrNull(this.unitPath(unit.label));
    const drift = describeDrift(installed, renderSystemdUnit(unit, this.crashLoop), systemdUnitFields);
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

  async listMachine(options: ListMachineOptions = {}): Promise<MachineUnit[]> {
    const dir = this.platform.systemdUserDir;
    if (!dir) return [];
    const names = await readdir(dir).catch(() => [] as string[]);
    const found: Array<Omit<MachineUnit, 'status'>> = [];
    for (const name of names) {
      if (!name.endsWith('.service')) continue;
      const label = name.slice(0, -'.service'.length);
      const parsed = parseDevLabel(label);
      if (!parsed || parsed.checkoutId === options.except) continue;
      const text = await readTextOrNull(join(dir, name)).catch(() => null);
      if (text === null) continue;
      found.push({ label, ...parsed, backend: 'systemd', ...checkoutFieldsOf(systemdUnitEnvironment(text)) });
    }
    if (found.length === 0) return [];
    // One query for all of them: a block per unit, in the order asked.
    const result = await this.checked([
      'show',
      '-p',
      ['Id', ...SHOW_PROPERTIES].join(','),
      ...found.map((unit) => systemdUnitName(unit.label)),
    ]);
    const shown = parseSystemctlShowUnits(result.stdout);
    return found.map((unit) => ({
      ...unit,
      status: {
        label: unit.label,
        ...systemdState(shown.get(systemdUnitName(unit.label)) ?? {}, this.crashLoop),
      },
    }));
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

  private daemonReload() {
    return this.checked(['daemon-reload']);
  }

  private async show(label: string): Promise<SystemctlShow> {
    const result = await this.checked(['show', '-p', SHOW_PROPERTIES.join(','), systemdUnitName(label)]);
    return parseSystemctlShow(result.stdout);
  }
}
