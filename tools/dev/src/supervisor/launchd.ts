import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor, writeFileAtomic } from '@nexu/service-kit';
import * as plist from 'plist';
import {
  COMMAND_NOT_FOUND,
  CommandError,
  type CommandResult,
  type CommandRunner,
  runCommand,
} from '../os/command-runner.js';
import { isProcessAlive } from '../os/process-identity.js';
import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP, EXIT_CONFIG } from './crash-loop.mjs';
import { LAUNCHCTL_EXIT } from './launchctl-exit-codes.mjs';
import { listUnitFiles } from './list-unit-files.js';
import { checkoutFieldsOf, parseDevLabel } from './machine-unit.js';
import { notInstalledStatus } from './not-installed-status.js';
import {
  type LaunchctlPrint,
  parseLaunchctlDomainServices,
  parseLaunchctlPrint,
} from './parse-launchctl-print.js';
import { DEFAULT_LAUNCHCTL, type ResolvedPlatform, resolvePlatform } from './platform.js';
import { type LaunchdGuard, plistFields, renderPlist } from './render-plist.js';
import type {
  InstallOutcome,
  LastExit,
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
import { describeDrift } from './unit-drift.js';
import { readTextOrNull, removeFiles } from './unit-files.js';
import { waitForPortsFree } from './wait-for-ports-free.js';

export interface LaunchdSupervisorOptions {
  /** The checkout's `unitsDir`: plists live there, not in ~/Library/LaunchAgents (no login reload). */
  readonly unitsDir: string;
  readonly runner?: CommandRunner;
  readonly platform?: ResolvedPlatform;
  readonly crashLoop?: CrashLoopPolicy;
  /** Deadline for bootstrap retries, label draining and stops (default 15 s). */
  readonly timeoutMs?: number;
}

const GUARD_PATH = fileURLToPath(new URL('./launchd-guard.mjs', import.meta.url));

const EXIT = LAUNCHCTL_EXIT;
const DRAINING = new Set<number>([EXIT.ioError, EXIT.inProgress, EXIT.alreadyInProgress]);

/** Advice for a failed launchctl call, by exit code. */
function launchctlAdvice(plistPath: string) {
  return (result: CommandResult): string | undefined => {
    switch (result.exitCode) {
      case EXIT.ioError:
      case EXIT.inProgress:
      case EXIT.alreadyInProgress:
        return 'launchd is still tearing down a previous instance of this label (or it is already loaded); wait a few seconds and retry.';
      case EXIT.notFound:
        return 'The job is not loaded: `pnpm start` bootstraps it.';
      case EXIT.disabled:
        return "The job is disabled in launchd's override database: `launchctl enable gui/$(id -u)/<label>`.";
      case EXIT.badPermissions:
        return `The plist must be owned by you and not group/world writable: \`chown $(id -un) "${plistPath}" && chmod 600 "${plistPath}"\`.`;
      case EXIT.unsupportedDomain:
        return 'No GUI session for this user (SSH or sudo?): log in at the console, or use NEXU_DEV_BACKEND=process.';
      case EXIT.multipleErrors:
        return `launchd rejected the plist: \`plutil -lint "${plistPath}"\` shows what is wrong.`;
      case COMMAND_NOT_FOUND:
        return 'launchctl was not found: set NEXU_DEV_LAUNCHCTL or use NEXU_DEV_BACKEND=process.';
      default:
        return undefined;
    }
  };
}

/** What the crash-loop guard recorded for a label (see launchd-guard.mjs). */
interface GuardRecord {
  readonly reason: string;
  readonly code?: number;
}

/**
 * launchd backend (macOS): plists in the checkout's units folder, loaded into `gui/<uid>` (or
 * `user/<uid>` when there is no GUI session, as Homebrew does) with modern launchctl subcommands.
 * What launchctl answers and when: docs/platform.md, "launchctl".
 */
export class LaunchdSupervisor implements Supervisor {
  readonly backend = 'launchd' as const;
  private readonly unitsDir: string;
  private readonly runner: CommandRunner;
  private readonly platform: ResolvedPlatform;
  private readonly crashLoop: CrashLoopPolicy;
  private readonly timeoutMs: number;
  private domain: string;

  constructor(options: LaunchdSupervisorOptions) {
    this.unitsDir = options.unitsDir;
    this.runner = options.runner ?? runCommand;
    this.platform = options.platform ?? resolvePlatform();
    this.crashLoop = options.crashLoop ?? DEFAULT_CRASH_LOOP;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.domain = this.platform.guiDomain;
  }

  async preflight(): Promise<PreflightResult> {
    // Elsewhere only a stand-in named by NEXU_DEV_LAUNCHCTL can play launchctl (the tests' fake).
    if (this.platform.platform !== 'darwin' && this.platform.launchctlPath === DEFAULT_LAUNCHCTL) {
      return { ok: false, reason: 'launchd runs only on macOS.' };
    }
    if (!existsSync(this.platform.launchctlPath)) {
      return { ok: false, reason: `${this.platform.launchctlPath} does not exist (set NEXU_DEV_LAUNCHCTL).` };
    }
    const result = await this.launchctl((domain) => ['print', domain]);
    if (result.exitCode === 0) return { ok: true };
    return {
      ok: false,
      reason: `\`launchctl print ${this.domain}\` exited ${result.exitCode}: ${result.stderr.trim()}. ${
        launchctlAdvice('')(result) ?? ''
      }`.trim(),
    };
  }

  async install(unit: UnitSpec): Promise<InstallOutcome> {
    const rendered = this.render(unit);
    const path = this.plistPath(unit.label);
    const installed = await readTextOrNull(path);
    if (installed === rendered) return 'unchanged';
    const loaded = (await this.print(unit.label)) !== null;
    if (loaded) await this.bootoutAndWait(unit);
    // 0600: the environment may carry a token (NEXU_GATEWAY_TOKEN); launchd only needs us to own it.
    await writeFileAtomic(path, rendered);
    // A `disable` persists in launchd's override database and makes bootstrap fail: enable first.
    await this.checked((domain) => ['enable', `${domain}/${unit.label}`], path);
    if (installed === null) return 'installed';
    if (loaded) await this.bootstrapAndStart(unit);
    return 'replaced';
  }

  async start(unit: UnitRef): Promise<void> {
    if ((await readTextOrNull(this.plistPath(unit.label))) === null) {
      throw new SupervisorError(unit.label, `Unable to start ${unit.service}: it is not installed`);
    }
    const print = await this.print(unit.label);
    if (print?.state === 'running' && print.pid !== null) return;
    await this.clearGuard(unit.label);
    // A label still being booted out cannot be kickstarted: bootstrap (retrying while it drains).
    if (print === null || print.state === 'SIGTERMed') return this.bootstrapAndStart(unit);
    await this.checked((domain) => ['kickstart', `${domain}/${unit.label}`], this.plistPath(unit.label));
  }

  async restart(unit: UnitRef): Promise<void> {
    const before = await this.print(unit.label);
    if (before === null) return this.start(unit);
    await this.clearGuard(unit.label);
    await this.checked(
      (domain) => ['kickstart', '-k', `${domain}/${unit.label}`],
      this.plistPath(unit.label),
    );
    const restarted = await waitFor(
      async () => {
        const now = await this.print(unit.label);
        return now?.pid != null && now.pid !== before.pid;
      },
      { timeoutMs: this.timeoutMs },
    );
    if (!restarted.ok)
      throw new SupervisorError(unit.label, `Unable to restart ${unit.service}: no new pid appeared`);
  }

  async stop(unit: UnitRef): Promise<void> {
    await this.bootoutAndWait(unit);
    await this.clearGuard(unit.label);
    await waitForPortsFree(unit, unit.port ? [unit.port] : [], this.timeoutMs);
  }

  async uninstall(unit: UnitRef): Promise<void> {
    await this.stop(unit);
    await removeFiles(this.plistPath(unit.label));
  }

  async drift(unit: UnitSpec): Promise<readonly string[] | null> {
    const installed = await readTextOrNull(this.plistPath(unit.label));
    return describeDrift(installed, this.render(unit), plistFields);
  }

  async status(unit: UnitRef): Promise<ServiceStatus> {
    const installed = await readTextOrNull(this.plistPath(unit.label));
    const print = await this.print(unit.label);
    if (installed === null && print === null) return notInstalledStatus(unit.label);
    const crashed = await this.readGuard(unit.label, 'crashed');
    const stopped = await this.readGuard(unit.label, 'stopped');
    const { state, reason } = this.stateOf(print, crashed, stopped);
    const lastExit: LastExit | null = stopped
      ? { code: stopped.code ?? EXIT_CONFIG, signal: null }
      : print?.lastSignal
        ? { code: null, signal: print.lastSignal }
        : print?.lastExitCode != null
          ? { code: print.lastExitCode, signal: null }
          : null;
    return {
      label: unit.label,
      state,
      pid: state === 'running' ? (print?.pid ?? null) : null,
      // `runs` counts every spawn since load, explicit kickstarts included.
      restarts: Math.max(0, (print?.runs ?? 0) - 1),
      lastExit,
      ...(reason ? { reason } : {}),
    };
  }

  async listInstalled(checkoutId: string): Promise<UnitRef[]> {
    return listUnitFiles(this.unitsDir, '.plist', checkoutId, async (path) => {
      try {
        const parsed = plist.parse((await readTextOrNull(path)) ?? '') as {
          EnvironmentVariables?: Record<string, string>;
        };
        return Number(parsed.EnvironmentVariables?.PORT) || undefined;
      } catch {
        return undefined; // unreadable plist: still ours by name, port unknown
      }
    });
  }

  async listMachine(options: ListMachineOptions = {}): Promise<MachineUnit[]> {
    if (this.platform.platform !== 'darwin' && this.platform.launchctlPath === DEFAULT_LAUNCHCTL) return [];
    const domain = await this.launchctl((domain) => ['print', domain]);
    if (domain.exitCode !== 0) return [];
    const labels = parseLaunchctlDomainServices(domain.stdout).flatMap(({ label }) => {
      const parsed = parseDevLabel(label);
      return parsed && parsed.checkoutId !== options.except ? [{ label, ...parsed }] : [];
    });
    // The domain lists labels and pids only; each job's environment (its checkout) needs its own print.
    const units = await Promise.all(
      labels.map(async (unit): Promise<MachineUnit | null> => {
        const print = await this.print(unit.label).catch(() => null);
        if (print === null) return null; // booted out meanwhile
        const { state, reason } = this.stateOf(print, null, null);
        return {
          ...unit,
          backend: 'launchd',
          ...checkoutFieldsOf(print.environment),
          status: {
            label: unit.label,
            state,
            pid: state === 'running' ? print.pid : null,
            restarts: Math.max(0, print.runs - 1),
            lastExit: print.lastExitCode === null ? null : { code: print.lastExitCode, signal: null },
            ...(reason ? { reason } : {}),
          },
        };
      }),
    );
    return units.filter((unit): unit is MachineUnit => unit !== null);
  }

  private stateOf(
    print: LaunchctlPrint | null,
    crashed: GuardRecord | null,
    stopped: GuardRecord | null,
  ): { state: ServiceState; reason?: string } {
    if (print === null) return { state: 'stopped' };
    if (print.state === 'running' && print.pid !== null) return { state: 'running' };
    if (crashed) return { state: 'crashed', reason: crashed.reason };
    if (stopped) return { state: 'stopped', reason: stopped.reason };
    if (print.state === 'SIGTERMed') return { state: 'stopped', reason: 'being booted out' };
    if (print.immediateReason === 'inefficient') {
      return { state: 'starting', reason: 'launchd is throttling restarts (crash loop?)' };
    }
    const failed = print.lastSignal !== null || (print.lastExitCode !== null && print.lastExitCode !== 0);
    // KeepAlive restarts a failed job after ThrottleInterval; a clean exit stays down.
    if (print.state === 'spawn scheduled' || failed) return { state: 'starting' };
    return { state: 'stopped', ...(print.lastExitCode === 0 ? { reason: 'exited 0' } : {}) };
  }

  private render(unit: UnitSpec): string {
    return renderPlist(unit, this.guard(unit.label));
  }

  private guard(label: string): LaunchdGuard {
    return { path: GUARD_PATH, stateBase: join(this.unitsDir, label), policy: this.crashLoop };
  }

  private plistPath(label: string): string {
    return join(this.unitsDir, `${label}.plist`);
  }

  private async readGuard(label: string, kind: 'crashed' | 'stopped'): Promise<GuardRecord | null> {
    try {
      return JSON.parse(
        (await readTextOrNull(join(this.unitsDir, `${label}.${kind}`))) ?? 'null',
      ) as GuardRecord | null;
    } catch {
      return null;
    }
  }

  /** Explicit starts begin a new crash-loop window and forget the last verdict. */
  private clearGuard(label: string): Promise<void> {
    const base = join(this.unitsDir, label);
    return removeFiles(`${base}.starts`, `${base}.crashed`, `${base}.stopped`);
  }

  /**
   * Runs launchctl against the current domain. `gui/<uid>` answers 125 when there is no GUI
   * session (SSH, sudo): switch to `user/<uid>` for good and retry, as Homebrew does.
   */
  private async launchctl(args: (domain: string) => readonly string[]): Promise<CommandResult> {
    const result = await this.runner([this.platform.launchctlPath, ...args(this.domain)]);
    if (result.exitCode !== EXIT.unsupportedDomain || this.domain !== this.platform.guiDomain) return result;
    this.domain = this.platform.userDomain;
    return this.runner([this.platform.launchctlPath, ...args(this.domain)]);
  }

  private async checked(
    args: (domain: string) => readonly string[],
    plistPath: string,
  ): Promise<CommandResult> {
    const result = await this.launchctl(args);
    if (result.exitCode !== 0) throw new CommandError(result, launchctlAdvice(plistPath)(result));
    return result;
  }

  /** The parsed `print` of a loaded label; null when launchd does not know it (113). */
  private async print(label: string): Promise<LaunchctlPrint | null> {
    const result = await this.launchctl((domain) => ['print', `${domain}/${label}`]);
    if (result.exitCode === EXIT.notFound) return null;
    if (result.exitCode !== 0) throw new CommandError(result, launchctlAdvice(this.plistPath(label))(result));
    return parseLaunchctlPrint(result.stdout);
  }

  /**
   * Bootstraps the plist, retrying with backoff while a previous bootout drains (5/36/37) and
   * enabling a disabled label (119); then kickstarts a job that stays without a pid.
   */
  private async bootstrapAndStart(unit: UnitRef): Promise<void> {
    const path = this.plistPath(unit.label);
    let last: CommandResult | undefined;
    const loaded = await waitFor(
      async () => {
        last = await this.launchctl((domain) => ['bootstrap', domain, path]);
        if (last.exitCode === 0) return true;
        if (last.exitCode === EXIT.disabled) {
          await this.checked((domain) => ['enable', `${domain}/${unit.label}`], path);
          return undefined;
        }
        if (!DRAINING.has(last.exitCode)) throw new CommandError(last, launchctlAdvice(path)(last));
        // 5 also means "already loaded": done unless it is still being booted out.
        const print = await this.print(unit.label);
        return print !== null && print.state !== 'SIGTERMed' ? true : undefined;
      },
      { timeoutMs: this.timeoutMs, intervalMs: 100, maxIntervalMs: 1000 },
    );
    if (!loaded.ok && last) throw new CommandError(last, launchctlAdvice(path)(last));
    // After bootstrap a job can stay `spawn scheduled` / `not running` without ever spawning: a
    // plain kickstart starts it. One that spawned and already exited (78, crash) is left alone.
    const spawned = await waitFor(
      async () => {
        const print = await this.print(unit.label);
        return print !== null && (print.pid !== null || print.runs > 0);
      },
      { timeoutMs: 1000 },
    );
    if (!spawned.ok) await this.checked((domain) => ['kickstart', `${domain}/${unit.label}`], path);
  }

  /** `bootout`, then wait until `print` answers 113: bootout returns before the job is gone. */
  private async bootoutAndWait(unit: UnitRef): Promise<void> {
    const before = await this.print(unit.label);
    if (before === null) return;
    const result = await this.launchctl((domain) => ['bootout', `${domain}/${unit.label}`]);
    if (result.exitCode !== 0 && result.exitCode !== EXIT.noSuchProcess && !DRAINING.has(result.exitCode)) {
      throw new CommandError(result, launchctlAdvice(this.plistPath(unit.label))(result));
    }
    const gone = await waitFor(async () => (await this.print(unit.label)) === null, {
      timeoutMs: this.timeoutMs,
      maxIntervalMs: 250,
    });
    if (!gone.ok) {
      throw new SupervisorError(
        unit.label,
        `Unable to stop ${unit.service}: launchd still lists it ${this.timeoutMs / 1000}s after bootout`,
        `Check \`launchctl print ${this.domain}/${unit.label}\`; retry \`pnpm stop\` in a few seconds.`,
      );
    }
    const pid = before.pid;
    if (
      pid !== null &&
      !(await waitFor(async () => !(await isProcessAlive(pid)), { timeoutMs: this.timeoutMs })).ok
    ) {
      throw new SupervisorError(unit.label, `Unable to stop ${unit.service}: pid ${pid} is still running`);
    }
  }
}
