// A fake `launchctl` for machines that are not Macs. It plays what a real Mac answers (the facts and
// their public sources: docs/platform.md, "launchctl"): modern subcommands, `print` in the real
// output's shape (of a job, and of a domain with its `services = {` block), bootout that returns
// before the job is gone, and the exit codes a normal user sees.
// State lives in $FAKE_LAUNCHCTL_STATE; every call is appended to calls.log. Loaded jobs are run by
// fake-launchd-job.ts (one detached runner per job), which spawns the real ProgramArguments and
// applies KeepAlive, ThrottleInterval, the xpcproxy phase and folder privacy.
//
// Resident: a Mac's launchctl answers in a few milliseconds; a node start-up per call (~80 ms of
// CPU) would put that into every launchd figure (a stop's two rounds of calls, `pnpm bench`'s
// simulated launchd) though a Mac user never pays it. So the `launchctl` executable is a small bash
// client (fake-launchctl.sh) that hands each call to one resident server per state folder
// (fake-launchd-server.ts), which runs `fakeLaunchctl` below for it: the call's arguments,
// environment, working directory and uid in, its stdout, stderr and exit code out, as when each
// call was a process of its own. Calls run concurrently (three bootouts at once).
//
// Knobs (the calling process's environment, read per call):
//   FAKE_LAUNCHCTL_SESSION    gui (default): the user is at the console;
//                             ssh: nobody at the console, `gui/<uid>` does not exist (112);
//                             headless: a headless Mac (or a Background-session caller: SSH,
//                               cron, a launchd job) after a reboot: `gui/<uid>` answers 125;
//                             other-console: another user owns the console (125).
//   FAKE_LAUNCHCTL_AS_ROOT=1  root's richer bootstrap errors (119/122/133/37) instead of 5.
//   FAKE_LAUNCHCTL_OLD=1      an older launchd: bootstrap of a loaded label answers 17, bootout
//                             of a label that is not loaded 3 (recent ones: 37 and 113).
//   FAKE_LAUNCHCTL_ONE_SESSION_TYPE=1  a launchd that refuses (5) a plist listing more than one
//                             LimitLoadToSessionType.
//   FAKE_LAUNCHCTL_PROTECTED  folders (':'-separated) a LaunchAgent may not read (TCC).
//   FAKE_LAUNCHCTL_UNSIGNED   programs (':'-separated) whose code signature is invalid.
//   FAKE_LAUNCHCTL_DRAIN_MS / FAKE_LAUNCHCTL_XPCPROXY_MS: see fake-launchd-job.ts (a job's runner
//                             starts with the environment of the `bootstrap` call that loaded it).
// Every call is also appended to events.log with its time (`{"at":ms,"args":[...]}`), and the job
// runner appends `{"at":ms,"unloaded":label}` when a label's drain ends, so tests can tell
// whether bootouts overlapped without timing anything.
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isProcessAliveSync as alive } from '@nexu/service-kit/proc-stat';
import { LAUNCHCTL_EXIT as EXIT } from '../supervisor/launchctl-exit-codes.js';
import type { FakeJob, FakePlist } from './fake-launchd-job-record.js';

/** One launchctl call, as its process would have seen it. */
export interface FakeLaunchctlCall {
  readonly args: readonly string[];
  /** The caller's environment (the knobs, FAKE_LAUNCHCTL_STATE; a job's runner starts with it). */
  readonly env: Readonly<Record<string, string>>;
  /** The caller's working directory (relative paths resolve against it). */
  readonly cwd: string;
  /** The caller's uid (a plist must be the caller's own). */
  readonly uid: number;
}

/** What the call's process printed and how it exited. */
export interface FakeLaunchctlAnswer {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** The end of a call: what `process.exit` was in a fake of one process per call. */
class Exit {
  constructor(readonly code: number) {}
}

/** Runs one launchctl call against the fake launchd of `call.env.FAKE_LAUNCHCTL_STATE`. */
export async function fakeLaunchctl(call: FakeLaunchctlCall): Promise<FakeLaunchctlAnswer> {
  let stdout = '';
  let stderr = '';
  try {
    await runCall(call, {
      log: (text) => {
        stdout += `${text}\n`;
      },
      error: (text) => {
        stderr += `${text}\n`;
      },
    });
    return { stdout, stderr, exitCode: 0 };
  } catch (error) {
    if (error instanceof Exit) return { stdout, stderr, exitCode: error.code };
    // What node prints for an uncaught error, and its exit code.
    return {
      stdout,
      stderr: `${stderr}${error instanceof Error ? error.stack : String(error)}\n`,
      exitCode: 1,
    };
  }
}

interface Console {
  log(text: string): void;
  error(text: string): void;
}

async function runCall(call: FakeLaunchctlCall, console: Console): Promise<void> {
  if (!call.env.FAKE_LAUNCHCTL_STATE) {
    console.error('fake launchctl: FAKE_LAUNCHCTL_STATE is not set');
    throw new Exit(64);
  }
  const stateDir = resolve(call.cwd, call.env.FAKE_LAUNCHCTL_STATE);
  const jobsDir = join(stateDir, 'jobs');
  mkdirSync(jobsDir, { recursive: true });
  const args = call.args;
  appendFileSync(join(stateDir, 'calls.log'), `${JSON.stringify(args)}\n`);
  appendFileSync(join(stateDir, 'events.log'), `${JSON.stringify({ at: Date.now(), args })}\n`);

  const session = call.env.FAKE_LAUNCHCTL_SESSION || 'gui';
  const asRoot = call.env.FAKE_LAUNCHCTL_AS_ROOT === '1';

  function fail(code: number, message?: string): never {
    if (message) console.error(message);
    throw new Exit(code);
  }
  const jobPath = (label: string) => join(jobsDir, `${label}.json`);
  /** The loaded job, or null; a job whose runner died is unloaded on the spot. */
  const readJob = (label: string): FakeJob | null => {
    try {
      const job = JSON.parse(readFileSync(jobPath(label), 'utf8')) as FakeJob;
      if (job.runnerPid && !alive(job.runnerPid)) {
        rmSync(jobPath(label), { force: true });
        return null;
      }
      return job;
    } catch {
      return null;
    }
  };
  // launchd's override database: every `enable` or `disable` leaves a permanent entry.
  const overridesPath = join(stateDir, 'overrides.json');
  const readOverrides = (): Record<string, string> =>
    existsSync(overridesPath) ? JSON.parse(readFileSync(overridesPath, 'utf8')) : {};
  const writeOverrides = (overrides: Record<string, string>) =>
    writeFileSync(overridesPath, JSON.stringify(overrides));

  /**
   * Splits `gui/501/label` into domain and label. With nobody at the console `gui/<uid>` does not
   * exist: 112 (openclaw/openclaw#8642); with another user at the console: 125
   * (NousResearch/hermes-agent#30586). `user/<uid>` exists after any login (Mic92/sops-nix#966).
   */
  const parseTarget = (target: string | undefined, verb: string) => {
    const match = /^((gui|user)\/(\d+))(?:\/(.+))?$/.exec(target ?? '');
    if (!match) fail(EXIT.usage, `Unrecognized target specifier: ${target}`);
    const [, domain, kind, uid, label] = match as unknown as [
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    if (kind === 'gui' && session === 'ssh') {
      fail(
        EXIT.noDomain,
        verb === 'Print' && !label
          ? `Could not find domain for user gui: ${uid}`
          : `${verb} failed: 112: Could not find specified domain`,
      );
    }
    // A headless Mac after a reboot (duh17/oppi#38, Mic92/sops-nix#966), an SSH user while another
    // owns the console (NousResearch/hermes-agent#30586), a caller in a Background session
    // (rjwalters/loom#4130): the GUI domain does not support the action.
    if (kind === 'gui' && (session === 'other-console' || session === 'headless')) {
      fail(EXIT.unsupportedDomain, `${verb} failed: 125: Domain does not support specified action`);
    }
    return { domain, kind, uid, label };
  };
  // `print` of a label that is not loaded: `Bad request.` then `Could not find service "<label>" in
  // domain for user gui: 501` (gui domain, docs/platform.md) or `... in domain for uid: 501` (the
  // user domain, as launchctl names it there).
  function notFound(domain: string, label: string | undefined): never {
    return fail(
      EXIT.notFound,
      `Bad request.\nCould not find service "${label}" in domain for ${domain.startsWith('gui') ? 'user gui' : 'uid'}: ${domain.split('/')[1]}`,
    );
  }

  /**
   * As a normal user every bootstrap failure is 5 (openclaw/openclaw#849, drpedapati/sciclaw#69);
   * root sees the richer code (DeterminateSystems/nix-installer#530).
   */
  function bootstrapFailed(rootCode: number, rootMessage: string): never {
    if (asRoot) fail(rootCode, `Bootstrap failed: ${rootCode}: ${rootMessage}`);
    return fail(
      EXIT.ioError,
      'Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.',
    );
  }

  /** What the fake takes for a program's code requirement: the file it is (inode) and its mtime. */
  function codeIdentity(program: string | undefined, cwd: string): string | null {
    if (program === undefined) return null;
    try {
      const info = statSync(resolve(cwd, program));
      return `${info.dev}:${info.ino}:${info.mtimeMs}`;
    } catch {
      return null;
    }
  }

  const signalRunner = (job: FakeJob, signal: NodeJS.Signals) => {
    try {
      if (job.runnerPid) process.kill(job.runnerPid, signal);
    } catch {
      // the runner just went away
    }
  };

  const [verb, ...rest] = args;
  switch (verb) {
    case 'enable':
    case 'disable': {
      const { domain, label } = parseTarget(rest[0], verb === 'enable' ? 'Enable' : 'Disable');
      writeOverrides({ ...readOverrides(), [`${domain}/${label}`]: `${verb}d` });
      break;
    }
    case 'print-disabled': {
      // The shape of macOS 14+ (assafkip/kipi-system#134: `"label" => disabled`).
      const { domain } = parseTarget(rest[0], 'Print-disabled');
      const entries = Object.entries(readOverrides())
        .filter(([target]) => target.startsWith(`${domain}/`))
        .map(([target, value]) => `\t\t"${target.slice(domain.length + 1)}" => ${value}`);
      console.log(['\tdisabled services = {', ...entries, '\t}', ''].join('\n'));
      break;
    }
    case 'bootstrap': {
      const { domain, kind } = parseTarget(rest[0], 'Bootstrap');
      const path = rest[1];
      const file = path && resolve(call.cwd, path);
      if (!file || !existsSync(file)) fail(EXIT.noSuchFile, 'Bootstrap failed: 2: No such file or directory');
      const stat = statSync(file);
      if ((stat.mode & 0o022) !== 0 || stat.uid !== call.uid) {
        bootstrapFailed(EXIT.badPermissions, 'Path had bad ownership/permissions');
      }
      // Loaded here only: every other call (print, above all) answers without it.
      const plist = await import('plist');
      let spec: FakePlist | undefined;
      try {
        spec = plist.parse(readFileSync(file, 'utf8')) as unknown as FakePlist;
      } catch {
        bootstrapFailed(EXIT.multipleErrors, 'Invalid property list');
      }
      if (!spec?.Label || !Array.isArray(spec.ProgramArguments)) {
        bootstrapFailed(EXIT.multipleErrors, 'Invalid property list');
      }
      if (readOverrides()[`${domain}/${spec.Label}`] === 'disabled')
        bootstrapFailed(EXIT.disabled, 'Service is disabled');
      // LimitLoadToSessionType defaults to Aqua, the GUI session: the user domain's session is
      // Background, and a job limited to Aqua does not load there (Mic92/sops-nix#966: as a normal
      // user that is 5 again, as Homebrew's `bootstrap user/501` over SSH shows).
      const sessions = [spec.LimitLoadToSessionType ?? 'Aqua'].flat();
      if (!sessions.includes(kind === 'gui' ? 'Aqua' : 'Background')) {
        bootstrapFailed(EXIT.unsupportedDomain, 'Service cannot load in requested session');
      }
      // Some launchd releases refuse a plist that lists several session types for an agent: as a
      // normal user that is the same bare 5 again (the knob plays such a Mac).
      if (call.env.FAKE_LAUNCHCTL_ONE_SESSION_TYPE === '1' && sessions.length > 1) {
        bootstrapFailed(EXIT.unsupportedDomain, 'Service cannot load in requested session');
      }
      const loaded = readJob(spec.Label);
      if (loaded) {
        // An older launchd: 17 File exists.
        if (call.env.FAKE_LAUNCHCTL_OLD === '1') fail(EXIT.fileExists, 'Bootstrap failed: 17: File exists');
        // A bootout still draining: launchd refuses with 37 (Operation already in progress), which a
        // normal user sees as the bare 5 (Layr-Labs/d-inference#1102: "rejects the bootstrap with
        // error 37 ... surfaces: Bootstrap failed: 5: Input/output error"; the label frees ~3 s after
        // bootout).
        if (loaded.state === 'SIGTERMed') {
          if (asRoot) fail(EXIT.alreadyInProgress, 'Bootstrap failed: 37: Operation already in progress');
          fail(
            EXIT.ioError,
            'Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.',
          );
        }
        // Loaded (running or starting): 37 (Homebrew/homebrew-core#132781, openclaw/openclaw#71413).
        fail(EXIT.alreadyInProgress, 'Bootstrap failed: 37: Operation already in progress');
      }
      writeFileSync(
        jobPath(spec.Label),
        JSON.stringify({
          label: spec.Label,
          domain,
          plistPath: path,
          state: 'spawn scheduled',
          runs: 0,
          spec,
          // launchd records the program's code requirement at load; a binary replaced under a
          // loaded job no longer meets it (see fake-launchd-job.ts, OS_REASON_CODESIGNING).
          code: codeIdentity(spec.ProgramArguments[0], call.cwd),
        }),
      );
      const runner = spawn(
        process.execPath,
        [fileURLToPath(new URL('./fake-launchd-job.mjs', import.meta.url)), jobsDir, spec.Label],
        // As when it was this call's child: the caller's environment (its knobs) and folder.
        { detached: true, stdio: 'ignore', env: call.env, cwd: existsSync(call.cwd) ? call.cwd : '/' },
      );
      runner.unref();
      runner.once('error', () => {}); // no runner: the wait below ends at its deadline
      // Like launchd, answer once the job is registered (the runner records its pid at once).
      const deadline = Date.now() + 5000;
      while (!readJob(spec.Label)?.runnerPid && Date.now() < deadline) await sleep(10);
      break;
    }
    case 'bootout': {
      const { domain, label } = parseTarget(rest[0], 'Boot-out');
      // `bootout <domain> <plist>` of a job that is not loaded: 5 (DeterminateSystems/nix-installer#1148,
      // #1206: "Boot-out failed: 5: Input/output error"). nexu dev names the service target instead.
      if (!label && rest[1]) {
        const byPath = readdirSync(jobsDir)
          .filter((name) => name.endsWith('.json'))
          .map((name) => readJob(name.slice(0, -'.json'.length)))
          .find((job) => job?.plistPath === rest[1] && job?.domain === domain);
        if (!byPath) fail(EXIT.ioError, 'Boot-out failed: 5: Input/output error');
        signalRunner(byPath, 'SIGTERM');
        break;
      }
      const job = readJob(label ?? '');
      if (!job || job.domain !== domain) {
        // Not loaded: 3 No such process on older releases (DeterminateSystems/nix-installer#1148),
        // 113 on recent ones (docs/platform.md, "launchctl").
        if (call.env.FAKE_LAUNCHCTL_OLD === '1')
          fail(EXIT.noSuchProcess, 'Boot-out failed: 3: No such process');
        fail(EXIT.notFound, 'Boot-out failed: 113: Could not find specified service');
      }
      // A job still being booted out: 36 (osquery/osquery#5698: "Boot-out failed: 36: Operation now
      // in progress", while the daemon does stop).
      if (job.state === 'SIGTERMed') fail(EXIT.inProgress, 'Boot-out failed: 36: Operation now in progress');
      // Returns BEFORE the job is gone: the runner stops it and drains for 3-5 s.
      signalRunner(job, 'SIGTERM');
      break;
    }
    case 'kickstart': {
      const kill = rest[0] === '-k';
      const { domain, label } = parseTarget(kill ? rest[1] : rest[0], 'Kickstart');
      const job = readJob(label ?? '');
      if (!job || job.domain !== domain || job.state === 'SIGTERMed') notFound(domain, label);
      signalRunner(job, kill ? 'SIGUSR2' : 'SIGUSR1');
      break;
    }
    case 'print': {
      const { domain, label } = parseTarget(rest[0], 'Print');
      if (!label) {
        console.log(renderDomainPrint(domain, jobsDir, readJob));
        break;
      }
      const job = readJob(label);
      if (!job || job.domain !== domain) notFound(domain, label);
      console.log(renderPrint(job));
      break;
    }
    default:
      fail(EXIT.usage, `Unrecognized subcommand: ${verb}`);
  }
}

/**
 * `print <domain>`: the domain's header and its `services = {` block, one loaded job per line as
 * launchd prints it: pid (0 when not running), last exit status (`-` before the first exit), label
 * (shape: docs/platform.md, "launchctl").
 */
function renderDomainPrint(
  domain: string,
  jobsDir: string,
  readJob: (label: string) => FakeJob | null,
): string {
  const T = '\t';
  const jobs = readdirSync(jobsDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => readJob(name.slice(0, -'.json'.length)))
    .filter((job): job is FakeJob => job !== null && job.domain === domain);
  const services = jobs.map((job) => {
    const exit = job.lastExitCode === null || job.lastExitCode === undefined ? '-' : String(job.lastExitCode);
    return `${T}${T}${String(job.pid ?? 0).padStart(8)}${exit.padStart(7)} ${T}${job.label}`;
  });
  return [
    `${domain} = {`,
    `${T}type = ${domain.startsWith('gui') ? 'login' : 'user'}`,
    `${T}handle = 100005`,
    `${T}active count = ${jobs.filter((job) => job.pid).length}`,
    `${T}service count = ${jobs.length}`,
    '',
    `${T}services = {`,
    ...services,
    `${T}}`,
    '',
    `${T}endpoints = {`,
    `${T}${T}"com.apple.fake.endpoint" = {`,
    `${T}${T}${T}port = 0x7a03`,
    `${T}${T}}`,
    `${T}}`,
    '}',
  ].join('\n');
}

/**
 * `launchctl print <domain>/<label>` in the shape of a real LaunchAgent print (macOS 14/15; see
 * test-support/launchctl-print/ for the real ones): one line of `last terminating signal`,
 * `last exit reason` *or* `last exit code`; `job state = spawn failed` when launchd could not
 * launch the program; nested coalition blocks that carry their own `state`.
 */
function renderPrint(job: FakeJob): string {
  const T = '\t';
  const spec = job.spec;
  const env = Object.entries(spec.EnvironmentVariables ?? {}).map(([k, v]) => `${T}${T}${k} => ${v}`);
  const last = job.lastExit as { code?: number | null; signal?: string; reason?: string } | null | undefined;
  // One line says how the last run ended: a signal, launchd's reason for refusing it, or a code.
  const lastLine =
    last?.signal !== undefined
      ? `${T}last terminating signal = ${last.signal}`
      : last?.reason !== undefined
        ? `${T}last exit reason = ${last.reason}`
        : `${T}last exit code = ${last === null || last === undefined ? '(never exited)' : last.code === 78 ? '78: EX_CONFIG' : last.code}`;
  const coalition = (type: string, id: number) => [
    `${T}${type} coalition = {`,
    `${T}${T}ID = ${id}`,
    `${T}${T}type = ${type}`,
    `${T}${T}state = active`,
    `${T}${T}active count = ${job.pid ? 1 : 0}`,
    `${T}${T}name = ${job.label}`,
    `${T}}`,
    '',
  ];
  return [
    `${job.domain}/${job.label} = {`,
    `${T}active count = ${job.pid ? 1 : 0}`,
    `${T}path = ${job.plistPath}`,
    `${T}type = LaunchAgent`,
    `${T}state = ${job.state}`,
    '',
    `${T}program = ${spec.ProgramArguments[0]}`,
    `${T}arguments = {`,
    ...spec.ProgramArguments.map((a) => `${T}${T}${a}`),
    `${T}}`,
    '',
    `${T}working directory = ${spec.WorkingDirectory ?? '/'}`,
    '',
    `${T}stdout path = ${spec.StandardOutPath ?? '/dev/null'}`,
    `${T}stderr path = ${spec.StandardErrorPath ?? '/dev/null'}`,
    `${T}inherited environment = {`,
    `${T}${T}SSH_AUTH_SOCK => /private/tmp/com.apple.launchd.fake/Listeners`,
    `${T}}`,
    '',
    `${T}default environment = {`,
    `${T}${T}PATH => /usr/bin:/bin:/usr/sbin:/sbin`,
    `${T}}`,
    '',
    `${T}environment = {`,
    `${T}${T}OSLogRateLimit => 64`,
    ...env,
    `${T}${T}XPC_SERVICE_NAME => ${job.label}`,
    `${T}}`,
    '',
    `${T}domain = ${job.domain} [100005]`,
    `${T}asid = 100005`,
    `${T}minimum runtime = ${spec.ThrottleInterval ?? 10}`,
    `${T}exit timeout = ${spec.ExitTimeOut ?? 5}`,
    `${T}runs = ${job.runs}`,
    ...(job.pid ? [`${T}pid = ${job.pid}`] : []),
    `${T}immediate reason = ${job.immediateReason ?? 'speculative'}`,
    `${T}forks = 0`,
    `${T}execs = ${job.runs}`,
    `${T}initialized = 1`,
    `${T}trampolined = 1`,
    lastLine,
    '',
    ...coalition('resource', 1622),
    ...coalition('jetsam', 1623),
    `${T}spawn type = interactive (4)`,
    `${T}jetsam priority = 40`,
    `${T}cpumon = default`,
    '',
    `${T}properties = keepalive | runatload | inferred program`,
    ...(job.jobState ? [`${T}job state = ${job.jobState}`] : []),
    '}',
  ].join('\n');
}
