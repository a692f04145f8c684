// The fake launchd's side of one loaded job (started detached by fake-launchctl.ts bootstrap):
//
//   node fake-launchd-job.mjs <jobsDir> <label>
//
// Spawns ProgramArguments (own process group, stdout/stderr appended to the plist's paths,
// EnvironmentVariables over launchd's default PATH), restarts per KeepAlive no sooner than
// ThrottleInterval after the previous spawn, and records launchd's view (state, pid, runs, the last
// exit as a code *or* a signal, job state) in <jobsDir>/<label>.json for `print`.
// What it plays, with the public sources in docs/platform.md, "launchctl":
// - `state = xpcproxy` with the new pid for FAKE_LAUNCHCTL_XPCPROXY_MS (default 30) after a spawn;
// - a program that does not exist: no process, `last exit code = 78: EX_CONFIG`, `job state =
//   spawn failed`, retried every ThrottleInterval; one that exists but cannot be executed:
//   `last exit reason = OS_REASON_EXEC` and no exit code line at all;
// - folder privacy (FAKE_LAUNCHCTL_PROTECTED): a log there cannot be opened, which launchd reports
//   as `last exit code = 78: EX_CONFIG` before the program runs (NousResearch/hermes-agent#107618);
//   a working directory there lets the job start, and it exits 126 at once, `getcwd: Operation not
//   permitted` in its log (smith-horn/skillsmith#1009: "exiting 126 with getcwd: Operation not
//   permitted"); a program argument there (the entry file, a preload) cannot be read, so node
//   exits 1 at once, every time;
// - a program file replaced under the loaded job (a `brew upgrade` of node, a copy over the old
//   binary): launchd kills every spawn for its code signature, `last exit reason =
//   OS_REASON_CODESIGNING`, `job state = spawn failed`, no exit code line
//   (manaflow-ai/subrouter#254: "macOS then kills every respawn with OS_REASON_CODESIGNING";
//   the shape: test-support/launchctl-print/cli-pulse-codesigning-refused.txt) until the job is
//   bootstrapped anew.
// Signals from fake-launchctl: SIGUSR1 = kickstart, SIGUSR2 = kickstart -k, SIGTERM = bootout
// (state SIGTERMed, SIGTERM then SIGKILL after ExitTimeOut; the label stays loaded until the drain
// that began at bootout ends: launchd "scheduling cleanup in 5 sec after sending Terminated: 15",
// the label "frees ~3 s after bootout", Layr-Labs/d-inference#1102; headroomlabs-ai/headroom#1289).
// FAKE_LAUNCHCTL_DRAIN_MS sets the drain (default: 3000-5000 ms, drawn per bootout, as a Mac).
import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  appendFileSync,
  closeSync,
  existsSync,
  constants as fsConstants,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '@nexu/service-kit/write-file-atomic';
import type { FakeJob, FakeLastExit } from './fake-launchd-job-record.js';

const [jobsArg, labelArg] = process.argv.slice(2);
if (!jobsArg || !labelArg) {
  console.error('usage: fake-launchd-job.mjs <jobsDir> <label>');
  process.exit(64);
}
const jobsDir: string = jobsArg;
const label: string = labelArg;
const path = join(jobsDir, `${label}.json`);
const job = JSON.parse(readFileSync(path, 'utf8')) as FakeJob;
const spec = job.spec;
const throttleMs = (spec.ThrottleInterval ?? 10) * 1000;
const exitTimeoutMs = (spec.ExitTimeOut ?? 20) * 1000;
const drainMs = process.env.FAKE_LAUNCHCTL_DRAIN_MS
  ? Number(process.env.FAKE_LAUNCHCTL_DRAIN_MS)
  : 3000 + Math.floor(Math.random() * 2000);
const xpcproxyMs = Number(process.env.FAKE_LAUNCHCTL_XPCPROXY_MS ?? 30);
const protectedFolders = (process.env.FAKE_LAUNCHCTL_PROTECTED ?? '').split(':').filter(Boolean);
// Programs whose code signature is invalid whatever the load (FAKE_LAUNCHCTL_UNSIGNED, ':'-separated):
// every spawn is refused (Homebrew/brew#23463: an invalid signature after relocation, "SIGKILL
// CODESIGNING on load").
const unsigned = (process.env.FAKE_LAUNCHCTL_UNSIGNED ?? '').split(':').filter(Boolean);
const SIGNAL_TEXT: Partial<Record<NodeJS.Signals, string>> = {
  SIGTERM: 'Terminated: 15',
  SIGKILL: 'Killed: 9',
  SIGINT: 'Interrupt: 2',
  SIGHUP: 'Hangup: 1',
};

// Any KeepAlive implies RunAtLoad.
const runsAtLoad = Boolean(spec.RunAtLoad || spec.KeepAlive);
// A job that runs at load stays `spawn scheduled` (as bootstrap recorded it) until its spawn: a
// print between bootstrap and the spawn never shows it idle (`not running`), as launchd's does not.
Object.assign(job, {
  runnerPid: process.pid,
  pid: null,
  lastExit: null,
  state: runsAtLoad ? 'spawn scheduled' : 'not running',
});
const save = () => writeFileAtomicSync(path, JSON.stringify(job));
save();

let child: ChildProcess | null = null;
let timer: NodeJS.Timeout | null = null;
let lastSpawnAt = 0;
let restartNow = false;
let booting = false;

const signalGroup = (pid: number | undefined, signal: NodeJS.Signals) => {
  try {
    if (pid !== undefined) process.kill(-pid, signal);
  } catch {
    // gone
  }
};
const isProtected = (p: string | null | undefined) =>
  typeof p === 'string' && protectedFolders.some((folder) => p === folder || p.startsWith(`${folder}${sep}`));
/** A path an argument names (`/x/main.js`, `--import=file:///x/guard.mjs`), or null. */
const argPath = (arg: string): string | null => {
  const url = /(?:^|=)(file:\/\/\S+)$/.exec(arg)?.[1];
  if (url) return fileURLToPath(url);
  return arg.startsWith('/') ? arg : null;
};

/** The program's identity as the fake's launchd recorded it at bootstrap (see fake-launchctl.mjs). */
const codeIdentity = (file: string) => {
  try {
    const info = statSync(file);
    return `${info.dev}:${info.ino}:${info.mtimeMs}`;
  } catch {
    return null;
  }
};

const executable = (file: string) => {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** launchd could not launch the program: no process this time; KeepAlive tries again. */
function launchFailed(jobState: string | undefined, lastExit: FakeLastExit = { code: 78 }): void {
  lastSpawnAt = Date.now();
  Object.assign(job, { runs: job.runs + 1, lastExit, jobState, pid: null });
  scheduleAgain(true);
}

function spawnJob() {
  timer = null;
  if (child || booting) return;
  const [program = '', ...args] = spec.ProgramArguments;
  if ([spec.StandardOutPath, spec.StandardErrorPath].some(isProtected)) {
    return launchFailed(undefined); // xpcproxy cannot open the log: exit(78)
  }
  if (!existsSync(program)) return launchFailed('spawn failed');
  if (!executable(program)) return launchFailed('spawn failed', { reason: 'OS_REASON_EXEC' });
  if ((job.code && codeIdentity(program) !== job.code) || unsigned.includes(program)) {
    return launchFailed('spawn failed', { reason: 'OS_REASON_CODESIGNING' });
  }
  const cwdDenied = isProtected(spec.WorkingDirectory);
  const unreadable = args.map(argPath).find(isProtected);
  const out = openSync(spec.StandardOutPath ?? '/dev/null', 'a');
  const err =
    spec.StandardErrorPath === spec.StandardOutPath
      ? out
      : openSync(spec.StandardErrorPath ?? '/dev/null', 'a');
  const proc = spawn(
    cwdDenied ? '/bin/sh' : program,
    cwdDenied
      ? [
          '-c',
          'echo "shell-init: error retrieving current directory: getcwd: cannot access parent directories: Operation not permitted" >&2; exit 126',
        ]
      : unreadable
        ? [
            '-e',
            `console.error("Error: EPERM: operation not permitted, open '${unreadable}'"); process.exit(1)`,
          ]
        : args,
    {
      cwd: cwdDenied ? '/' : (spec.WorkingDirectory ?? '/'),
      env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', ...spec.EnvironmentVariables, XPC_SERVICE_NAME: label },
      stdio: ['ignore', out, err],
      detached: true,
    },
  );
  closeSync(out);
  if (err !== out) closeSync(err);
  lastSpawnAt = Date.now();
  child = proc;
  Object.assign(job, { pid: proc.pid ?? null, runs: job.runs + 1, state: 'xpcproxy', jobState: undefined });
  save();
  setTimeout(() => {
    if (child !== proc || job.state !== 'xpcproxy') return;
    job.state = 'running';
    save();
  }, xpcproxyMs).unref();
  proc.once('error', () => onExit(proc, 78, null));
  proc.once('exit', (code, signal) => onExit(proc, code, signal));
}

function onExit(proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null) {
  if (child !== proc) return;
  child = null;
  // launchd kills the job's process group when the job dies (AbandonProcessGroup = false).
  signalGroup(proc.pid, 'SIGKILL');
  job.pid = null;
  // A job being booted out stays `SIGTERMed` until its drain ends, also the moment its process is
  // gone: a print (or a second bootout: 36) then must not see it idle.
  job.state = booting ? 'SIGTERMed' : 'not running';
  // A print shows how the last run ended: a signal *or* an exit code, never both.
  job.lastExit = signal
    ? { signal: SIGNAL_TEXT[signal] ?? `${signal}: ${constants.signals[signal]}` }
    : { code };
  save();
  if (booting) return;
  if (restartNow) {
    restartNow = false;
    return spawnJob();
  }
  scheduleAgain(signal !== null || code !== 0);
}

/** KeepAlive {SuccessfulExit: false} spawns a failed job again, no sooner than ThrottleInterval. */
function scheduleAgain(failed: boolean) {
  const keepAlive = spec.KeepAlive;
  const again =
    keepAlive === true || (typeof keepAlive === 'object' && keepAlive.SuccessfulExit === false && failed);
  if (!again) {
    job.state = 'not running';
    return save();
  }
  const wait = Math.max(0, lastSpawnAt + throttleMs - Date.now());
  job.state = 'spawn scheduled';
  if (wait > 0) job.immediateReason = 'inefficient';
  save();
  timer = setTimeout(spawnJob, wait);
}

function stopChild(): Promise<void> {
  if (!child) return Promise.resolve();
  const proc = child;
  return new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    signalGroup(proc.pid, 'SIGTERM');
    setTimeout(() => signalGroup(proc.pid, 'SIGKILL'), exitTimeoutMs).unref();
  });
}

process.on('SIGUSR1', () => {
  // kickstart: start now if not running (it overrides the throttle)
  if (timer) clearTimeout(timer);
  if (!child) spawnJob();
});
process.on('SIGUSR2', () => {
  // kickstart -k: kill the running instance, start again now
  if (timer) clearTimeout(timer);
  if (!child) return spawnJob();
  restartNow = true;
  void stopChild();
});
process.on('SIGTERM', async () => {
  if (booting) return;
  booting = true;
  if (timer) clearTimeout(timer);
  // The label stays taken until the cleanup launchd scheduled at bootout, even once the job is gone.
  const drained = new Promise<void>((resolve) => setTimeout(resolve, drainMs));
  job.state = 'SIGTERMed';
  save();
  await stopChild();
  job.state = 'SIGTERMed';
  save();
  await drained;
  rmSync(path, { force: true });
  try {
    appendFileSync(
      join(dirname(jobsDir), 'events.log'),
      `${JSON.stringify({ at: Date.now(), unloaded: label })}\n`,
    );
  } catch {
    // the fake domain was removed meanwhile (a test's machine closed): nothing to tell
  }
  process.exit(0);
});

// A loaded job stays loaded until bootout, running or not.
setInterval(() => {}, 1 << 30);
if (runsAtLoad) spawnJob();
