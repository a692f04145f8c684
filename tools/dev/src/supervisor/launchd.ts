import { existsSync, realpathSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { waitFor, writeFileAtomic } from '@nexu/service-kit';
import * as plist from 'plist';
import { parseServiceLabel } from '../checkout/service-identity.js';
import {
  COMMAND_NOT_FOUND,
  CommandError,
  type CommandResult,
  type CommandRunner,
  runCommand,
} from '../os/command-runner.js';
import { createBatch } from '../os/create-batch.js';
import { LOCAL_EVENT_POLL } from '../os/local-event-poll.js';
import { isProcessAlive } from '../os/process-identity.js';
import { stableNodePath } from '../os/stable-node-path.js';
import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP, EXIT_CONFIG } from './crash-loop.js';
import { CRASH_LOOP_GUARD_PATH, type CrashLoopGuard } from './crash-loop-guard.js';
import { GUARD_ENV } from './guard-env.js';
import { launchFailureAdvice } from './launch-failure-advice.js';
import { LAUNCHCTL_EXIT } from './launchctl-exit-codes.js';
import { superuserRefusal } from './launchd-domain.js';
import { describeLaunchdJob, type LaunchdGuardRecords, type LaunchdJobState } from './launchd-job-state.js';
import { listUnitFiles } from './list-unit-files.js';
import { checkoutFieldsOf } from './machine-unit.js';
import { noteMissingNode } from './missing-node.js';
import { notInstalledStatus } from './not-installed-status.js';
import {
  type LaunchctlPrint,
  parseLaunchctlDomainServices,
  parseLaunchctlPrint,
} from './parse-launchctl-print.js';
import { parsePrintDisabled } from './parse-print-disabled.js';
import { DEFAULT_LAUNCHCTL, type ResolvedPlatform, resolvePlatform } from './platform.js';
import {
  findProtectedFolder,
  type MountEntry,
  type ProtectedFolder,
  parseMountOutput,
  protectedFolderAdvice,
} from './protected-folder.js';
import { plistFields, plistNode, renderPlist } from './render-plist.js';
import type {
  InstallOutcome,
  LastExit,
  ListMachineOptions,
  MachineUnit,
  PreflightResult,
  ServiceStatus,
  Supervisor,
  UnitRef,
  UnitSpec,
} from './supervisor.js';
import { SupervisorError } from './supervisor-errors.js';
import { describeUnitDrift } from './unit-drift.js';
import { readJsonOrNull, readTextOrNull, removeFiles } from './unit-files.js';
import { waitForPortsFree } from './wait-for-ports-free.js';

export interface LaunchdSupervisorOptions {
  /** The checkout's `unitsDir`: plists live there, not in ~/Library/LaunchAgents (no login reload). */
  readonly unitsDir: string;
  readonly runner?: CommandRunner;
  readonly platform?: ResolvedPlatform;
  readonly crashLoop?: CrashLoopPolicy;
  /** Deadline for bootstrap retries, label draining and stops (default 15 s). */
  readonly timeoutMs?: number;
  /** Told, in one line, when a start does something the user did not ask for and should know. */
  readonly notify?: (line: string) => void;
}

const EXIT = LAUNCHCTL_EXIT;
/** Bootstrap answers that may mean "loaded already" or "a bootout still drains": ask `print`. */
const ASK_PRINT = new Set<number>([EXIT.ioError, EXIT.fileExists, EXIT.inProgress, EXIT.alreadyInProgress]);
/** Bootout answers that mean the label is not loaded (any more): 3 on older launchd, 113 on recent. */
const BOOTOUT_GONE = new Set<number>([EXIT.noSuchProcess, EXIT.notFound]);
/** Bootout answers that mean a bootout is under way: this one, or one still draining (36, 37). */
const BOOTOUT_UNDER_WAY = new Set<number>([0, EXIT.inProgress, EXIT.alreadyInProgress]);
/** `last exit reason` of a program whose code requirement, recorded at load, no longer holds. */
const CODESIGNING = 'OS_REASON_CODESIGNING';
/** How long one command reuses a domain's listing (see printDomain). */
const DOMAIN_PRINT_FRESH_MS = 1000;
/** launchctl subcommands after which a domain's listing is still good enough to reuse. */
const READ_OR_BOOTOUT = new Set(['print', 'print-disabled', 'bootout']);
/** The session type of each domain kind (`LimitLoadToSessionType`): gui is Aqua, user is Background. */
const SESSION_TYPE = { gui: 'Aqua', user: 'Background' } as const;

/** Advice for a failed launchctl call, by exit code (what a Mac prints: docs/platform.md). */
function launchctlAdvice(plistPath: string) {
  return (result: CommandResult): string | undefined => {
    switch (result.exitCode) {
      case EXIT.ioError:
        return `launchd refused it without saying why (a normal user gets 5 for nearly every failure): \`plutil -lint "${plistPath}"\`, check the plist is yours and not group/world writable, and \`launchctl print-disabled gui/$(id -u)\`.`;
      case EXIT.inProgress:
      case EXIT.alreadyInProgress:
        return 'launchd is still tearing down a previous instance of this label; wait a few seconds and retry.';
      case EXIT.notFound:
        return 'The job is not loaded: `pnpm start` bootstraps it.';
      case EXIT.disabled:
        return "The job is disabled in launchd's override database: `launchctl enable gui/$(id -u)/<label>`.";
      case EXIT.badPermissions:
        return `The plist must be owned by you and not group/world writable: \`chown $(id -un) "${plistPath}" && chmod 600 "${plistPath}"\`.`;
      case EXIT.noDomain:
        return 'No GUI session for this user (SSH with nobody at the console?): log in at the console, or use NEXU_DEV_BACKEND=process.';
      case EXIT.unsupportedDomain:
        return 'This session has no GUI domain (125): a headless Mac with nobody logged in at the console, an SSH session while another user owns the console, or a caller in a Background session (SSH, cron, a launchd job). Log in at the console, or run from a session that can reach user/$(id -u) (nexu dev uses it over SSH), or use NEXU_DEV_BACKEND=process.';
      case EXIT.multipleErrors:
        return `launchd rejected the plist: \`plutil -lint "${plistPath}"\` shows what is wrong.`;
      case COMMAND_NOT_FOUND:
        return 'launchctl was not found: set NEXU_DEV_LAUNCHCTL or use NEXU_DEV_BACKEND=process.';
      default:
        return undefined;
    }
  };
}

/** What the crash-loop guard recorded for a label (see crash-loop-guard-preload.ts). */
interface GuardRecord {
  readonly reason: string;
  readonly code?: number;
}

/** The real path of `path`, or of its deepest existing folder with the rest appended. */
function realPathOfExisting(path: string): string {
  let rest = '';
  for (let current = path; ; current = dirname(current)) {
    try {
      return join(realpathSync(current), rest);
    } catch {
      if (dirname(current) === current) return path;
      rest = join(basename(current), rest);
    }
  }
}

/**
 * launchd backend (macOS): plists in the checkout's units folder, loaded with modern launchctl
 * subcommands into the domain chosen up front (`gui/<uid>`, or `user/<uid>` over SSH or sudo, as
 * Homebrew does) and recorded per label, so later commands look where the job is.
 * What launchctl answers and when: docs/platform.md, "launchctl".
 */
export class LaunchdSupervisor implements Supervisor {
  readonly backend = 'launchd' as const;
  private readonly unitsDir: string;
  private readonly runner: CommandRunner;
  private readonly platform: ResolvedPlatform;
  private readonly crashLoop: CrashLoopPolicy;
  private readonly timeoutMs: number;
  private readonly notify: (line: string) => void;
  /** Domain new jobs are bootstrapped into. */
  private domain: string;
  /** The last `print <domain>` of each domain, and when it was asked (see printDomain). */
  private readonly domainPrints = new Map<string, { at: number; result: Promise<CommandResult> }>();
  /**
   * Which of the labels asked about in one turn a domain has loaded, and their pids: one `print
   * <domain>` for all of them (stopping three services asks launchctl once, not three times).
   */
  private readonly listings = createBatch(async (keys: readonly string[]) => {
    const byDomain = new Map<string, Map<string, number | null> | null>();
    for (const domain of new Set(keys.map((key) => key.slice(0, key.indexOf('\0'))))) {
      const result = await this.printDomain(domain);
      byDomain.set(
        domain,
        result.exitCode === 0
          ? new Map(parseLaunchctlDomainServices(result.stdout).map((job) => [job.label, job.pid]))
          : null,
      );
    }
    return keys.map((key) => {
      const [domain = '', label = ''] = key.split('\0');
      const services = byDomain.get(domain);
      // The domain could not be listed: ask the label itself.
      if (services === null || services === undefined) return undefined;
      return services.has(label) ? { pid: services.get(label) ?? null } : null;
    });
  });

  constructor(options: LaunchdSupervisorOptions) {
    this.unitsDir = options.unitsDir;
    this.runner = options.runner ?? runCommand;
    this.platform = options.platform ?? resolvePlatform();
    this.crashLoop = options.crashLoop ?? DEFAULT_CRASH_LOOP;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.notify = options.notify ?? (() => {});
    this.domain = this.platform.launchdDomain.domain;
  }

  async preflight(): Promise<PreflightResult> {
    // Elsewhere only a stand-in named by NEXU_DEV_LAUNCHCTL can play launchctl (the tests' fake).
    if (this.platform.platform !== 'darwin' && this.platform.launchctlPath === DEFAULT_LAUNCHCTL) {
      return { ok: false, reason: 'launchd runs only on macOS.' };
    }
    if (!existsSync(this.platform.launchctlPath)) {
      return { ok: false, reason: `${this.platform.launchctlPath} does not exist (set NEXU_DEV_LAUNCHCTL).` };
    }
    const refusal = superuserRefusal(this.platform.launchdSession);
    if (refusal) return { ok: false, reason: `${refusal}.`, final: true };
    const folder = await this.protectedFolder();
    // With Full Disk Access granted to node it works: an explicit choice tries it.
    const caveat = folder ? { caveat: `${protectedFolderAdvice(folder, stableNodePath())}.` } : {};
    const chosen = this.platform.launchdDomain;
    let result = await this.printDomain(this.domain);
    let notice = chosen.reason ? `launchd: using ${this.domain} (${chosen.reason}).` : undefined;
    // No GUI session after all (nobody at the console, another user owns it): the user domain.
    if (
      (result.exitCode === EXIT.noDomain || result.exitCode === EXIT.unsupportedDomain) &&
      chosen.kind === 'gui'
    ) {
      const code = result.exitCode;
      this.domain = this.platform.userDomain;
      result = await this.printDomain(this.domain);
      notice = `launchd: using ${this.domain} (\`launchctl print ${chosen.domain}\` answered ${code}: no GUI session).`;
    }
    if (result.exitCode === 0) return { ok: true, ...(notice ? { notice } : {}), ...caveat };
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
    if (installed !== null && this.isRendering(installed, rendered)) return 'unchanged';
    const print = await this.print(unit.label);
    const loaded = print !== null;
    // Its drain is not waited for here: the bootstrap below waits where it meets it, so replaced
    // jobs installed together drain together.
    if (loaded) await this.bootout(unit, print);
    // 0600: the environment may carry a token (NEXU_GATEWAY_TOKEN); launchd only needs us to own it.
    await writeFileAtomic(path, rendered);
    if (installed === null) return 'installed';
    if (loaded) {
      // A new job: its spawns count from 0 and the previous one's verdicts no longer hold.
      await this.clearGuard(unit.label, 0);
      await this.bootstrapAndStart(unit);
    }
    return 'replaced';
  }

  async start(unit: UnitRef): Promise<void> {
    if ((await readTextOrNull(this.plistPath(unit.label))) === null) {
      throw new SupervisorError(unit.label, `Unable to start ${unit.service}: it is not installed`);
    }
    const print = await this.print(unit.label);
    // Any pid means running or being spawned (`xpcproxy`).
    if (print !== null && print.pid !== null && print.state !== 'SIGTERMed') return;
    if (print !== null && this.codesigningRefused(print)) return this.reload(unit);
    await this.clearGuard(unit.label, print?.state === 'SIGTERMed' ? 0 : (print?.runs ?? 0));
    // A label still being booted out cannot be kickstarted: bootstrap (retrying while it drains).
    if (print === null || print.state === 'SIGTERMed') return this.bootstrapAndStart(unit);
    await this.checked(['kickstart', `${await this.domainOf(unit.label)}/${unit.label}`], unit.label);
  }

  /** launchd refused the program's code signature and runs nothing: only a new load helps. */
  private codesigningRefused(print: LaunchctlPrint): boolean {
    return print.pid === null && print.lastExitReason === CODESIGNING;
  }

  /**
   * Loads a job anew whose program launchd refuses for its code signature (the requirement it
   * recorded at load went stale: node was upgraded under the job), once, and says why. A refusal
   * of the new load is a failure: the job is booted out (KeepAlive would retry it forever).
   */
  private async reload(unit: UnitRef): Promise<void> {
    this.notify(
      `${unit.service}: launchd refused node's code signature (last exit reason = ${CODESIGNING}, as after a node upgrade): loading the job anew`,
    );
    await this.bootout(unit);
    await this.clearGuard(unit.label, 0);
    await this.bootstrapAndStart(unit);
    const refused = await waitFor(
      async () => {
        const print = await this.print(unit.label);
        if (print === null || print.pid !== null) return 'no';
        return this.codesigningRefused(print) ? 'yes' : undefined;
      },
      { timeoutMs: 2000 },
    );
    if (!refused.ok || refused.value === 'no') return;
    const reason = await this.launchFailureReason(unit, {
      state: 'crashed',
      reason: `launchd could not launch it again after loading the job anew (last exit reason = ${CODESIGNING})`,
      launchFailed: 'codesigning',
    });
    await this.giveUp(unit, reason);
    throw new SupervisorError(unit.label, `Unable to start ${unit.service}: ${reason}`);
  }

  async restart(unit: UnitRef): Promise<void> {
    const before = await this.print(unit.label);
    if (before === null || before.state === 'SIGTERMed' || this.codesigningRefused(before)) {
      return this.start(unit);
    }
    await this.clearGuard(unit.label, before.runs);
    await this.checked(['kickstart', '-k', `${await this.domainOf(unit.label)}/${unit.label}`], unit.label);
    const restarted = await waitFor(
      async () => {
        const now = await this.print(unit.label);
        if (now?.pid != null && now.pid !== before.pid) return 'restarted';
        // node was swapped under the running job: its new spawn is refused until a new load.
        if (now !== null && now.runs > before.runs && this.codesigningRefused(now)) return 'refused';
        return undefined;
      },
      { timeoutMs: this.timeoutMs },
    );
    if (restarted.ok && restarted.value === 'refused') return this.reload(unit);
    if (!restarted.ok)
      throw new SupervisorError(unit.label, `Unable to restart ${unit.service}: no new pid appeared`);
  }

  /**
   * Boots the job out and returns once its process is gone and its port can be bound. launchd keeps
   * the label for 3-5 s more (the drain); a later bootstrap of the label waits for it there.
   */
  async stop(unit: UnitRef): Promise<void> {
    await this.bootout(unit);
    await this.clearGuard(unit.label);
    await waitForPortsFree(unit, unit.port ? [unit.port] : [], this.timeoutMs);
  }

  async abandon(unit: UnitRef): Promise<void> {
    const print = await this.print(unit.label);
    if (print === null) return;
    const job = describeLaunchdJob(print, await this.readRecords(join(this.unitsDir, unit.label)));
    if (job.launchFailed) await this.giveUp(unit, await this.launchFailureReason(unit, job));
  }

  /** Records why launchd cannot launch the job where `status` finds it, and boots it out. */
  private async giveUp(unit: UnitRef, reason: string): Promise<void> {
    await writeFileAtomic(this.guardFile(unit.label, 'crashed'), `${JSON.stringify({ reason })}\n`);
    await this.launchctl(['bootout', `${await this.domainOf(unit.label)}/${unit.label}`]);
  }

  async uninstall(unit: UnitRef): Promise<void> {
    await this.stop(unit);
    await removeFiles(this.plistPath(unit.label));
  }

  async drift(unit: UnitSpec): Promise<readonly string[] | null> {
    const installed = await readTextOrNull(this.plistPath(unit.label));
    const rendered = this.render(unit);
    if (installed !== null && this.isRendering(installed, rendered)) return [];
    return describeUnitDrift(installed, unit, {
      render: (wanted) => this.render(wanted),
      fields: plistFields,
      node: plistNode,
    });
  }

  async status(unit: UnitRef): Promise<ServiceStatus> {
    const installed = await readTextOrNull(this.plistPath(unit.label));
    const print = await this.print(unit.label);
    if (installed === null && print === null) return notInstalledStatus(unit.label);
    const records = await this.readRecords(join(this.unitsDir, unit.label));
    const job = describeLaunchdJob(print, records);
    // A job that crashed has launchd's own diagnosis (a missing node among the causes it names).
    const status = noteMissingNode(
      this.toStatus(unit.label, print, records, job),
      job.state === 'crashed' ? null : installed && plistNode(installed),
    );
    // Read-only: a job launchd cannot launch is only described; `start` (or the watch session's
    // restart) stops KeepAlive's retries when it gives up on it (`abandon`).
    if (!job.launchFailed) return status;
    return { ...status, reason: await this.launchFailureReason(unit, job, installed, print) };
  }

  /** A launch failure's reason with the likely cause and what to do (reads files, writes none). */
  private async launchFailureReason(
    unit: UnitRef,
    job: LaunchdJobState,
    installed?: string | null,
    known?: LaunchctlPrint | null,
  ): Promise<string> {
    const text = installed === undefined ? await readTextOrNull(this.plistPath(unit.label)) : installed;
    let program: string | null = null;
    try {
      const parsed = plist.parse(text ?? '') as { ProgramArguments?: unknown };
      const first = Array.isArray(parsed.ProgramArguments) ? parsed.ProgramArguments[0] : undefined;
      program = typeof first === 'string' ? first : null;
    } catch {
      // no plist, or not ours any more: advise without the program
    }
    const print = known !== undefined ? known : await this.print(unit.label).catch(() => null);
    const advice = launchFailureAdvice(job.launchFailed ?? 'spawn', {
      program,
      programExists: program !== null && existsSync(program),
      folder: await this.protectedFolder(),
      lastExitCode: print?.lastExitCode ?? null,
    });
    return `${job.reason ?? 'launchd could not launch it'}; ${advice}`;
  }

  /** What a job's print and its guard's records say, as the contract's status. */
  private toStatus(
    label: string,
    print: LaunchctlPrint | null,
    records: LaunchdGuardRecords,
    job = describeLaunchdJob(print, records),
  ): ServiceStatus {
    const stopped = records.stopped;
    const lastExit: LastExit | null = stopped
      ? { code: stopped.code ?? EXIT_CONFIG, signal: null }
      : print?.lastSignal
        ? { code: null, signal: print.lastSignal }
        : print?.lastExitCode != null
          ? { code: print.lastExitCode, signal: null }
          : null;
    return {
      label,
      state: job.state,
      pid: job.state === 'running' ? (print?.pid ?? null) : null,
      // `runs` counts every spawn since load, explicit kickstarts included: launchd's own restarts
      // are the spawns after the first since the last explicit start, less the guard's refusal
      // that ended a crash loop (a spawn, not a restart of the service).
      restarts: Math.max(
        0,
        (print?.runs ?? 0) - records.runsAtStart - 1 - (records.crashed && records.guardLoaded ? 1 : 0),
      ),
      lastExit,
      ...(job.reason ? { reason: job.reason } : {}),
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
    // A checkout started over SSH runs in user/<uid>, one started at the console in gui/<uid>: ask both.
    const domains = [...new Set([this.domain, this.platform.guiDomain, this.platform.userDomain])];
    const listed = new Map<string, { label: string; domain: string; service: string; checkoutId: string }>();
    const { only } = options;
    const results = await Promise.all(domains.map((domain) => this.printDomain(domain)));
    domains.forEach((domain, i) => {
      const result = results[i]!;
      if (result.exitCode !== 0) return;
      for (const { label } of parseLaunchctlDomainServices(result.stdout)) {
        const parsed = parseServiceLabel(label);
        if (!parsed || parsed.checkoutId === options.except || listed.has(label)) continue;
        if (only && (parsed.checkoutId !== only.checkoutId || only.known.has(label))) continue;
        listed.set(label, { label, domain, ...parsed });
      }
    });
    // The domain lists labels and pids only; each job's environment (its checkout) needs its own print.
    const units = await Promise.all(
      [...listed.values()].map(async ({ domain, ...unit }): Promise<MachineUnit | null> => {
        const print = await this.print(unit.label, domain).catch(() => null);
        // Booted out meanwhile, or being unloaded with its process gone: no unit any more.
        if (print === null || (print.state === 'SIGTERMed' && print.pid === null)) return null;
        const guardBase = print.environment[GUARD_ENV.stateBase] ?? join(this.unitsDir, unit.label);
        const status = this.toStatus(unit.label, print, await this.readRecords(guardBase));
        return { ...unit, backend: 'launchd', ...checkoutFieldsOf(print.environment), status };
      }),
    );
    return units.filter((unit): unit is MachineUnit => unit !== null);
  }

  /** The protected (TCC) folder the checkout or this tool lies in, or null. */
  private async protectedFolder(): Promise<ProtectedFolder | null> {
    const paths = [this.unitsDir, CRASH_LOOP_GUARD_PATH].map(realPathOfExisting);
    // Only a volume needs the mount table (removable or network: protected; internal: not).
    const mounts = paths.some((path) => path.startsWith('/Volumes/')) ? await this.readMounts() : [];
    for (const path of paths) {
      const folder = findProtectedFolder(path, this.platform.home, mounts);
      if (folder) return folder;
    }
    return null;
  }

  /** The mounted volumes and their flags (`mount`), or null when they cannot be read. */
  private async readMounts(): Promise<MountEntry[] | null> {
    if (!existsSync(this.platform.mountPath)) return null;
    const result = await this.runner([this.platform.mountPath]);
    return result.exitCode === 0 ? parseMountOutput(result.stdout) : null;
  }

  /** Whether `installed` is `rendered`, or it with the one session type a bootstrap needed. */
  private isRendering(installed: string, rendered: string): boolean {
    return (
      installed === rendered ||
      Object.values(SESSION_TYPE).some((type) => installed === withSessionType(rendered, type))
    );
  }

  private render(unit: UnitSpec): string {
    return renderPlist(unit, this.guard(unit.label));
  }

  private guard(label: string): CrashLoopGuard {
    return {
      path: CRASH_LOOP_GUARD_PATH,
      stateBase: join(this.unitsDir, label),
      policy: this.crashLoop,
      recordConfigExit: true,
    };
  }

  private plistPath(label: string): string {
    return join(this.unitsDir, `${label}.plist`);
  }

  /** `<unitsDir>/<label>.<kind>`: the guard's files, the runs baseline, the recorded domain. */
  private guardFile(label: string, kind: 'starts' | 'crashed' | 'stopped' | 'runs' | 'domain'): string {
    return join(this.unitsDir, `${label}.${kind}`);
  }

  /** The guard's files of a job, at `base` (`<unitsDir>/<label>` of the checkout that runs it). */
  private async readRecords(base: string): Promise<LaunchdGuardRecords> {
    const [crashed, stopped, starts, runs] = await Promise.all([
      readJsonOrNull<GuardRecord>(`${base}.crashed`),
      readJsonOrNull<GuardRecord>(`${base}.stopped`),
      readTextOrNull(`${base}.starts`),
      readJsonOrNull<number>(`${base}.runs`),
    ]);
    return {
      crashed,
      stopped,
      guardLoaded: starts !== null,
      runsAtStart: typeof runs === 'number' ? runs : 0,
    };
  }

  /**
   * Explicit starts begin a new crash-loop window and forget the last verdict; `runs` now is the
   * baseline that tells this start's spawns from earlier ones.
   */
  private async clearGuard(label: string, runs?: number): Promise<void> {
    await removeFiles(
      this.guardFile(label, 'starts'),
      this.guardFile(label, 'crashed'),
      this.guardFile(label, 'stopped'),
      this.guardFile(label, 'runs'),
    );
    if (runs !== undefined) await writeFile(this.guardFile(label, 'runs'), `${runs}\n`, { mode: 0o600 });
  }

  /** The domain `label` was loaded into (recorded at bootstrap), else the one chosen now. */
  private async domainOf(label: string): Promise<string> {
    const recorded = (await readTextOrNull(this.guardFile(label, 'domain')))?.trim();
    return recorded && /^(gui|user)\/\d+$/.test(recorded) ? recorded : this.domain;
  }

  private launchctl(args: readonly string[]): Promise<CommandResult> {
    // A job loaded or started makes what a domain listed before out of date. A bootout does not
    // matter to a listing's reader: a label it still lists is booted out again (113 or 3: done),
    // its pid waited for (gone), and the machine listing prints each job it reports.
    if (!READ_OR_BOOTOUT.has(args[0] ?? '')) this.domainPrints.clear();
    return this.runner([this.platform.launchctlPath, ...args]);
  }

  /**
   * `print <domain>`, shared by the calls of one command that ask within DOMAIN_PRINT_FRESH_MS and
   * load or start nothing in between: a stop's preflight, its search for this checkout's jobs and
   * the pids its bootouts wait for ask launchctl once, not three times. A respawn launchd makes in
   * that second is not in the listing: the bootout still ends the new process, and the stop's wait
   * for the port covers it.
   */
  private printDomain(domain: string): Promise<CommandResult> {
    const cached = this.domainPrints.get(domain);
    if (cached && Date.now() - cached.at < DOMAIN_PRINT_FRESH_MS) return cached.result;
    const result = this.launchctl(['print', domain]);
    this.domainPrints.set(domain, { at: Date.now(), result });
    return result;
  }

  private async checked(args: readonly string[], label: string): Promise<CommandResult> {
    const result = await this.launchctl(args);
    if (result.exitCode !== 0) throw new CommandError(result, launchctlAdvice(this.plistPath(label))(result));
    return result;
  }

  /** The parsed `print` of a loaded label; null when launchd does not know it (113). */
  private async print(label: string, domain?: string): Promise<LaunchctlPrint | null> {
    const result = await this.launchctl(['print', `${domain ?? (await this.domainOf(label))}/${label}`]);
    if (result.exitCode === EXIT.notFound) return null;
    if (result.exitCode !== 0) throw new CommandError(result, launchctlAdvice(this.plistPath(label))(result));
    return parseLaunchctlPrint(result.stdout);
  }

  /** Whether `domain` has `label` loaded, and its pid (from the domain's listing, batched); null when not. */
  private async loadedJob(label: string, domain: string): Promise<{ readonly pid: number | null } | null> {
    const listed = await this.listings.get(`${domain}\0${label}`);
    if (listed !== undefined) return listed;
    return this.print(label, domain);
  }

  /** Whether `print-disabled` lists `label` as disabled in `domain`. */
  private async isDisabled(domain: string, label: string): Promise<boolean> {
    const result = await this.launchctl(['print-disabled', domain]);
    return result.exitCode === 0 && parsePrintDisabled(result.stdout).get(label) === true;
  }

  /**
   * Bootstraps the plist into the chosen domain and records that domain. A normal user gets 5 for
   * nearly every failure, so 5 is read with `print`: loaded (done), being booted out (retry), or
   * not loaded, which is no drain: enable the label if `print-disabled` lists it, else diagnose.
   * Then kickstarts a job that stays without a pid.
   */
  private async bootstrapAndStart(unit: UnitRef): Promise<void> {
    const path = this.plistPath(unit.label);
    const domain = this.domain;
    let last: CommandResult | undefined;
    let refusals = 0;
    let enabled = false;
    let narrowed = false;
    const enable = async () => {
      enabled = true;
      await this.checked(['enable', `${domain}/${unit.label}`], unit.label);
    };
    const loaded = await waitFor(
      async () => {
        last = await this.launchctl(['bootstrap', domain, path]);
        if (last.exitCode === 0) return true;
        if (last.exitCode === EXIT.disabled && !enabled) return void (await enable());
        if (!ASK_PRINT.has(last.exitCode)) throw new CommandError(last, launchctlAdvice(path)(last));
        const print = await this.print(unit.label, domain);
        if (print !== null) return print.state !== 'SIGTERMed' ? true : undefined;
        if (!enabled && (await this.isDisabled(domain, unit.label))) return void (await enable());
        // Once may be a bootout that finished between the two calls; twice is a refusal.
        refusals += 1;
        if (refusals < 2) return undefined;
        const refusal = await this.diagnoseRefusal(unit, domain, last);
        // Nothing wrong with the plist that we can see: a launchd that will not take a plist listing
        // two session types? Once with the one that fits this domain (Aqua for gui/<uid>,
        // Background for user/<uid>), then the refusal stands.
        if (!refusal.found && !narrowed && (await this.narrowSessionType(path, domain))) {
          narrowed = true;
          refusals = 1;
          return undefined;
        }
        throw refusal.error;
      },
      // A drain ends 3-5 s after bootout: poll at a steady pace so the bootstrap follows it closely.
      { timeoutMs: this.timeoutMs, intervalMs: 100, maxIntervalMs: 250 },
    );
    if (!loaded.ok && last) throw new CommandError(last, launchctlAdvice(path)(last));
    await writeFile(this.guardFile(unit.label, 'domain'), `${domain}\n`, { mode: 0o600 });
    // After bootstrap a job can stay `spawn scheduled` / `not running` without ever spawning: a
    // plain kickstart starts it. One that spawned and already exited (78, crash) is left alone.
    const spawned = await waitFor(
      async () => {
        const print = await this.print(unit.label, domain);
        return print !== null && (print.pid !== null || print.runs > 0);
      },
      { timeoutMs: 1000 },
    );
    if (!spawned.ok) await this.checked(['kickstart', `${domain}/${unit.label}`], unit.label);
  }

  /**
   * Rewrites the plist at `path` to list only the session type of `domain`'s kind when it lists
   * several; false when there was nothing to narrow.
   */
  private async narrowSessionType(path: string, domain: string): Promise<boolean> {
    const text = await readTextOrNull(path);
    if (text === null) return false;
    const type = SESSION_TYPE[domain.startsWith('user/') ? 'user' : 'gui'];
    const narrowed = withSessionType(text, type);
    if (narrowed === null || narrowed === text) return false;
    this.notify(
      `launchd refused a plist listing several session types: retrying with LimitLoadToSessionType = ${type} (${basename(path)})`,
    );
    await writeFileAtomic(path, narrowed);
    return true;
  }

  /** Why launchd keeps refusing a plist it does not have loaded: what a normal user cannot see. */
  private async diagnoseRefusal(
    unit: UnitRef,
    domain: string,
    result: CommandResult,
  ): Promise<{ error: Error; found: boolean }> {
    const path = this.plistPath(unit.label);
    const what = `Unable to start ${unit.service}: \`launchctl bootstrap ${domain}\` answered ${result.exitCode} (${
      result.stderr.trim().split('\n')[0] ?? ''
    }) and the label is not loaded`;
    const info = await stat(path);
    if (info.uid !== this.platform.uid || (info.mode & 0o022) !== 0) {
      return {
        found: true,
        error: new SupervisorError(
          unit.label,
          `${what}: the plist is not owned by you or is group/world writable`,
          `\`chown $(id -un) "${path}" && chmod 600 "${path}"\`, or \`pnpm reset-state\`.`,
        ),
      };
    }
    const invalid = await this.lintPlist(path);
    if (invalid !== null) {
      return {
        found: true,
        error: new SupervisorError(
          unit.label,
          `${what}: the plist is not valid (${invalid})`,
          'Run `pnpm start` again to render it anew, or `pnpm reset-state`.',
        ),
      };
    }
    return {
      found: false,
      error: new SupervisorError(
        unit.label,
        what,
        `A normal user gets no reason from launchd: \`sudo launchctl bootstrap ${domain} "${path}"\` prints the real one (119 disabled, 122 permissions, 133 invalid plist).`,
      ),
    };
  }

  /** What `plutil -lint` (or, where there is none, the plist parser) finds wrong; null when valid. */
  private async lintPlist(path: string): Promise<string | null> {
    if (existsSync(this.platform.plutilPath)) {
      const lint = await this.runner([this.platform.plutilPath, '-lint', path]);
      return lint.exitCode === 0 ? null : lint.stdout.trim() || lint.stderr.trim();
    }
    try {
      plist.parse((await readTextOrNull(path)) ?? '');
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /**
   * `bootout`, then wait until the job's process is gone. launchd answers before the job is gone,
   * and keeps the label loaded (`state = SIGTERMed`) for 3-5 s more: that drain is not waited for
   * (a bootstrap meeting it waits there). Not loaded (3, 113) is done; 5 is read with `print`.
   * `known`: the label's print just read, to spare a call.
   */
  private async bootout(unit: UnitRef, known?: LaunchctlPrint): Promise<void> {
    const domain = await this.domainOf(unit.label);
    const before = known ?? (await this.loadedJob(unit.label, domain));
    if (before !== null) {
      const result = await this.launchctl(['bootout', `${domain}/${unit.label}`]);
      if (!BOOTOUT_GONE.has(result.exitCode) && !BOOTOUT_UNDER_WAY.has(result.exitCode)) {
        // A bare 5: fine when launchd no longer lists the label or is draining it.
        const now = result.exitCode === EXIT.ioError ? await this.print(unit.label, domain) : null;
        if (result.exitCode !== EXIT.ioError || (now !== null && now.state !== 'SIGTERMed')) {
          throw new CommandError(result, launchctlAdvice(this.plistPath(unit.label))(result));
        }
      }
      const pid = before.pid;
      if (
        pid !== null &&
        !(await waitFor(async () => !isProcessAlive(pid), { ...LOCAL_EVENT_POLL, timeoutMs: this.timeoutMs }))
          .ok
      ) {
        throw new SupervisorError(unit.label, `Unable to stop ${unit.service}: pid ${pid} is still running`);
      }
    }
    await removeFiles(this.guardFile(unit.label, 'domain'));
  }
}

/** `text` (a plist) with `LimitLoadToSessionType` set to `type` alone; null when it is not a plist. */
function withSessionType(text: string, type: string): string | null {
  try {
    const parsed = plist.parse(text) as Record<string, plist.PlistValue>;
    return plist.build({ ...parsed, LimitLoadToSessionType: type });
  } catch {
    return null;
  }
}
