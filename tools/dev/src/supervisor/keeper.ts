// Process keeper: the process backend's supervisor for ONE service.
//
//   node tools/dev/dist/runtime/keeper.mjs <unit.json> <state.json> [<registry entry.json>]
//
// Built with the CLI into one small file node runs directly, so it starts in a few tens of ms.
// Started detached by process.ts (leader of its own process group, stdio to a file), so it
// survives the terminal. It runs the service as its own process group (so a stop reaches the
// service's children too), appends the service's stdout+stderr to the unit's log, restarts it on
// failure with backoff, never restarts after exit 0 or 78, stops a crash loop, and writes its state
// atomically to <state.json> after every change, and to its entry in the user's keeper registry
// (what the service is and whose checkout it serves), which outlives a deleted or moved checkout. Signals: SIGHUP = restart the service now (the hot
// reload path); SIGTERM/SIGINT = stop the service (SIGTERM, SIGKILL after the grace) and exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { processStartTimeSync as startTimeOf } from '@nexu/service-kit/proc-stat';
import { writeFileAtomicSync } from '@nexu/service-kit/write-file-atomic';
import { CONFIG_EXIT_REASON, countCrashLoop, describeCrashLoop, EXIT_CONFIG } from './crash-loop.js';
import type { KeeperState, RegistryEntry } from './keeper-state.js';
import type { ProcessUnit } from './render-process-unit.js';
import type { LastExit } from './supervisor.js';

function usage(): never {
  console.error('usage: keeper.mjs <unit.json> <state.json> [<registry entry.json>]');
  process.exit(2);
}
const [unitArg, stateArg, registryPath] = process.argv.slice(2);
const unitPath: string = unitArg || usage();
const statePath: string = stateArg || usage();

const unit = JSON.parse(readFileSync(unitPath, 'utf8')) as ProcessUnit;
const { windowMs } = unit.crashLoop;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const state: Mutable<KeeperState> = {
  version: 1,
  label: unit.label,
  keeper: { pid: process.pid, startTime: startTimeOf(process.pid) },
  child: null,
  restarts: 0,
  lastExit: null,
  state: 'starting',
  reason: null,
  updatedAt: null,
};

/** The part of the unit's environment that says whose checkout this is (see machine-unit.ts). */
const checkoutEnv = Object.fromEntries(
  ['NEXU_DEV_INSTANCE', 'NEXU_DEV_ROOT', 'NEXU_HOME', 'PORT'].flatMap((key) =>
    unit.env[key] === undefined ? [] : [[key, unit.env[key]!]],
  ),
);

function writeState() {
  state.updatedAt = new Date().toISOString();
  // Both best effort: a checkout deleted or moved under a running keeper takes <state.json>'s folder
  // along; the keeper goes on supervising and reporting through the registry, where a later
  // `pnpm stop --orphans` finds it.
  try {
    writeFileAtomicSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
  } catch {}
  if (!registryPath) return;
  const entry: RegistryEntry = {
    ...state,
    service: unit.service,
    checkoutId: unit.checkoutId,
    unitPath,
    statePath,
    env: checkoutEnv,
  };
  try {
    writeFileAtomicSync(registryPath, `${JSON.stringify(entry, null, 2)}\n`);
  } catch {}
}

const describeExit = (code: number | null, signal: NodeJS.Signals | null) =>
  signal ? `killed by ${signal}` : `exited ${code}`;

/** The running service: its process, when it started, and a promise settled when it has ended. */
interface Child {
  readonly proc: ChildProcess;
  readonly startedAt: number;
  readonly done: Promise<void>;
}

let child: Child | null = null;
let timer: NodeJS.Timeout | null = null;
let backoff = unit.backoffMs;
let failures: number[] = [];
let busy = false; // a restart or stop is in progress: exits are expected, not failures
let stopping = false;

/** The service's log, opened for appending; 'ignore' when its checkout is gone (never recreated). */
function openLog(): number | 'ignore' {
  try {
    if (existsSync(unit.cwd)) mkdirSync(dirname(unit.logPath), { recursive: true });
    return openSync(unit.logPath, 'a');
  } catch {
    return 'ignore';
  }
}

function launch() {
  timer = null;
  const fd = openLog();
  let proc: ChildProcess;
  try {
    proc = spawn(unit.argv[0]!, unit.argv.slice(1), {
      cwd: unit.cwd,
      env: unit.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
  let resolveDone = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const entry: Child = { proc, startedAt: Date.now(), done };
  let ended = false;
  const onEnd = (code: number | null, signal: NodeJS.Signals | null) => {
    if (ended) return;
    ended = true;
    resolveDone();
    onChildEnd(entry, code, signal);
  };
  // A spawn failure (ENOENT, EACCES) emits 'error' and may never emit 'exit': count it as exit 127.
  proc.once('error', (error) => {
    console.error(`[keeper] ${unit.label}: cannot start ${unit.argv[0]}: ${error.message}`);
    onEnd(127, null);
  });
  proc.once('exit', (code, signal) => onEnd(code, signal));
  child = entry;
  state.child = proc.pid ? { pid: proc.pid, startTime: startTimeOf(proc.pid) } : null;
  state.state = 'running';
  state.reason = null;
  writeState();
}

function finish(finalState: KeeperState['state'], reason: string): never {
  state.state = finalState;
  state.reason = reason;
  writeState();
  process.exit(0);
}

function onChildEnd(entry: Child, code: number | null, signal: NodeJS.Signals | null) {
  if (child === entry) child = null;
  state.child = null;
  state.lastExit = { code, signal } satisfies LastExit;
  if (busy) return; // stop() / restart() own what happens next
  if (code === 0) return finish('stopped', 'exited 0');
  if (code === EXIT_CONFIG) return finish('stopped', CONFIG_EXIT_REASON);
  const now = Date.now();
  const count = countCrashLoop([...failures, now], now, unit.crashLoop);
  failures = count.recent;
  if (count.looping) {
    return finish('crashed', describeCrashLoop(unit.crashLoop));
  }
  // A service that ran for a whole window was healthy: start the backoff over.
  if (now - entry.startedAt > windowMs) backoff = unit.backoffMs;
  state.restarts += 1;
  state.state = 'starting';
  state.reason = `restarting after it ${describeExit(code, signal)}`;
  writeState();
  timer = setTimeout(launch, backoff);
  backoff = Math.min(backoff * 2, unit.maxBackoffMs);
}

const signalGroup = (pid: number | undefined, signal: NodeJS.Signals) => {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
};

/** SIGTERM to the service's group, SIGKILL after the grace; resolves once it has exited. */
async function killChild(): Promise<void> {
  if (!child) return;
  const { proc, done } = child;
  signalGroup(proc.pid, 'SIGTERM');
  const escalate = setTimeout(() => signalGroup(proc.pid, 'SIGKILL'), unit.stopGraceMs);
  await done;
  clearTimeout(escalate);
  // The group may hold children of the service that outlived it.
  signalGroup(proc.pid, 'SIGKILL');
}

async function restartNow(): Promise<void> {
  if (busy || stopping) return;
  busy = true;
  if (timer) clearTimeout(timer);
  timer = null;
  await killChild();
  busy = false;
  if (stopping) return; // a stop arrived meanwhile: it finishes the keeper
  backoff = unit.backoffMs;
  failures = [];
  launch();
}

async function stopAndExit(): Promise<void> {
  if (stopping) return;
  stopping = true;
  busy = true;
  if (timer) clearTimeout(timer);
  timer = null;
  await killChild();
  finish('stopped', 'stopped');
}

/**
 * One keeper per unit: an orchestrator killed right after spawning a keeper (before the keeper
 * wrote its state) makes the next start spawn another one, and two keepers would run the service
 * twice. The keeper lock (exclusive create, pid + start time) lets only one run; a lock whose
 * holder is gone or is another process now (pid reuse) is taken over.
 */
function acquireKeeperLock(): boolean {
  const lockPath = `${statePath}.keeper-lock`;
  const me = `${process.pid} ${state.keeper.startTime}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockPath, me, { flag: 'wx', mode: 0o600 });
      process.on('exit', () => {
        try {
          if (readFileSync(lockPath, 'utf8') === me) unlinkSync(lockPath);
        } catch {}
      });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = '';
    try {
      holder = readFileSync(lockPath, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [pid, startTime] = holder.split(' ');
    if (Number(pid) && startTimeOf(Number(pid)) === startTime) return false;
    try {
      unlinkSync(lockPath); // stale
    } catch {}
  }
  return false;
}

if (!acquireKeeperLock()) {
  console.error(`keeper: another keeper already runs ${unit.label}; exiting`);
  process.exit(0);
}

process.on('SIGHUP', () => void restartNow());
process.on('SIGTERM', () => void stopAndExit());
process.on('SIGINT', () => void stopAndExit());

launch();
