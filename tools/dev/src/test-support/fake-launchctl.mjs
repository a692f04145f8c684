#!/usr/bin/env node
// A fake `launchctl` for the launchd contract tests on Linux. It plays the documented behaviour
// (see docs/platform.md, "launchctl"): modern subcommands, exit codes 3/5/113/119/122/125/133,
// bootout that returns before the job is gone (a drain during which bootstrap fails with 5), and
// `print` of a job and of a domain (its `services = {` block) in the real output's shape. State lives in $FAKE_LAUNCHCTL_STATE; every call is appended
// to calls.log. Loaded jobs are run by fake-launchd-job.mjs (one detached runner per job), which
// spawns the real ProgramArguments and applies KeepAlive and ThrottleInterval.
//
// Knobs: FAKE_LAUNCHCTL_NO_GUI=1 makes every gui/<uid> target fail with 125 (an SSH session).
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
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as plist from 'plist';
import { isProcessAliveSync as alive } from '../os/proc-stat.mjs';
import { EXIT_CONFIG } from '../supervisor/crash-loop.mjs';
import { LAUNCHCTL_EXIT as EXIT } from '../supervisor/launchctl-exit-codes.mjs';

const stateDir = process.env.FAKE_LAUNCHCTL_STATE;
if (!stateDir) {
  console.error('fake launchctl: FAKE_LAUNCHCTL_STATE is not set');
  process.exit(64);
}
const jobsDir = join(stateDir, 'jobs');
mkdirSync(jobsDir, { recursive: true });
const args = process.argv.slice(2);
appendFileSync(join(stateDir, 'calls.log'), `${JSON.stringify(args)}\n`);

const fail = (code, message) => {
  if (message) console.error(message);
  process.exit(code);
};
const jobPath = (label) => join(jobsDir, `${label}.json`);
/** The loaded job, or null; a job whose runner died is unloaded on the spot. */
const readJob = (label) => {
  try {
    const job = JSON.parse(readFileSync(jobPath(label), 'utf8'));
    if (job.runnerPid && !alive(job.runnerPid)) {
      rmSync(jobPath(label), { force: true });
      return null;
    }
    return job;
  } catch {
    return null;
  }
};
const disabledPath = join(stateDir, 'disabled.json');
const readDisabled = () => (existsSync(disabledPath) ? JSON.parse(readFileSync(disabledPath, 'utf8')) : []);
const writeDisabled = (list) => writeFileSync(disabledPath, JSON.stringify(list));

/** Splits `gui/501/label` into domain and label, applying the no-GUI knob. */
const parseTarget = (target, verb) => {
  const match = /^((?:gui|user)\/\d+)(?:\/(.+))?$/.exec(target ?? '');
  if (!match) fail(EXIT.usage, `Unrecognized target specifier: ${target}`);
  if (process.env.FAKE_LAUNCHCTL_NO_GUI === '1' && match[1].startsWith('gui/')) {
    fail(EXIT.unsupportedDomain, `${verb} failed: 125: Domain does not support specified action`);
  }
  return { domain: match[1], label: match[2] };
};
const notFound = (domain, label) =>
  fail(
    EXIT.notFound,
    `Bad request.\nCould not find service "${label}" in domain for ${domain.startsWith('gui') ? 'user gui' : 'user'}: ${domain.split('/')[1]}`,
  );

const signalRunner = (job, signal) => {
  try {
    process.kill(job.runnerPid, signal);
  } catch {
    // the runner just went away
  }
};

const [verb, ...rest] = args;
switch (verb) {
  case 'enable':
  case 'disable': {
    const { domain, label } = parseTarget(rest[0], verb);
    const target = `${domain}/${label}`;
    const others = readDisabled().filter((t) => t !== target);
    writeDisabled(verb === 'disable' ? [...others, target] : others);
    break;
  }
  case 'bootstrap': {
    const { domain } = parseTarget(rest[0], 'Bootstrap');
    const path = rest[1];
    if (!path || !existsSync(path)) fail(EXIT.noSuchFile, `Bootstrap failed: 2: No such file or directory`);
    const stat = statSync(path);
    if ((stat.mode & 0o022) !== 0 || stat.uid !== process.getuid()) {
      fail(EXIT.badPermissions, 'Bootstrap failed: 122: Path had bad ownership/permissions');
    }
    let spec;
    try {
      spec = plist.parse(readFileSync(path, 'utf8'));
    } catch {
      fail(EXIT.multipleErrors, 'Bootstrap failed: 133: Invalid property list');
    }
    if (!spec?.Label || !Array.isArray(spec.ProgramArguments))
      fail(EXIT.multipleErrors, 'Bootstrap failed: 133: Invalid property list');
    if (readDisabled().includes(`${domain}/${spec.Label}`))
      fail(EXIT.disabled, 'Bootstrap failed: 119: Service is disabled');
    // Already loaded, or a previous bootout still draining: launchd answers 5 either way.
    if (readJob(spec.Label)) fail(EXIT.ioError, 'Bootstrap failed: 5: Input/output error');
    writeFileSync(
      jobPath(spec.Label),
      JSON.stringify({ label: spec.Label, domain, plistPath: path, state: 'spawn scheduled', runs: 0, spec }),
    );
    const runner = spawn(
      process.execPath,
      [fileURLToPath(new URL('./fake-launchd-job.mjs', import.meta.url)), jobsDir, spec.Label],
      { detached: true, stdio: 'ignore' },
    );
    runner.unref();
    // Like launchd, answer once the job is registered (the runner records its pid at once).
    const deadline = Date.now() + 5000;
    while (!readJob(spec.Label)?.runnerPid && Date.now() < deadline)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    break;
  }
  case 'bootout': {
    const { domain, label } = parseTarget(rest[0], 'Boot-out');
    const job = readJob(label);
    if (!job) fail(EXIT.noSuchProcess, 'Boot-out failed: 3: No such process');
    // Returns BEFORE the job is gone: the runner stops it and drains for a moment.
    if (job.state !== 'SIGTERMed') signalRunner(job, 'SIGTERM');
    void domain;
    break;
  }
  case 'kickstart': {
    const kill = rest[0] === '-k';
    const { domain, label } = parseTarget(kill ? rest[1] : rest[0], 'Kickstart');
    const job = readJob(label);
    if (!job || job.state === 'SIGTERMed') notFound(domain, label);
    signalRunner(job, kill ? 'SIGUSR2' : 'SIGUSR1');
    break;
  }
  case 'print': {
    const { domain, label } = parseTarget(rest[0], 'Print');
    if (!label) {
      console.log(renderDomainPrint(domain));
      break;
    }
    const job = readJob(label);
    if (!job) notFound(domain, label);
    console.log(renderPrint(job));
    break;
  }
  default:
    fail(EXIT.usage, `Unrecognized subcommand: ${verb}`);
}

/**
 * `print <domain>`: the domain's header and its `services = {` block, one loaded job per line as
 * launchd prints it: pid (0 when not running), last exit status (`-` before the first exit), label
 * (shape: docs/platform.md, "launchctl").
 */
function renderDomainPrint(domain) {
  const T = '\t';
  const jobs = readdirSync(jobsDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => readJob(name.slice(0, -'.json'.length)))
    .filter((job) => job !== null && job.domain === domain);
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

function renderPrint(job) {
  const T = '\t';
  const spec = job.spec;
  const env = Object.entries(spec.EnvironmentVariables ?? {}).map(([k, v]) => `${T}${T}${k} => ${v}`);
  const signal = job.lastSignal ? [`${T}last terminating signal = ${job.lastSignal}`] : [];
  const exit =
    job.lastExitCode === null || job.lastExitCode === undefined
      ? '(never exited)'
      : job.lastExitCode === EXIT_CONFIG
        ? '78: EX_CONFIG'
        : String(job.lastExitCode);
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
    `${T}immediate reason = ${job.immediateReason ?? 'specific ipc'}`,
    `${T}forks = 0`,
    `${T}execs = ${job.runs}`,
    ...signal,
    `${T}last exit code = ${exit}`,
    '',
    `${T}event channels = {`,
    `${T}${T}"com.apple.fake" = {`,
    `${T}${T}${T}port = 0x7a03`,
    `${T}${T}${T}pid = ${job.runnerPid ?? 1}`,
    `${T}${T}}`,
    `${T}}`,
    '',
    `${T}spawn type = interactive (4)`,
    `${T}properties = inferred program`,
    '}',
  ].join('\n');
}
