// Process keeper: the process backend's supervisor for ALL the services of ONE checkout.
//
//   node tools/dev/dist/runtime/keeper.mjs <unitsDir> [<registryDir>]
//
// Built with the CLI into one small file node runs directly, so it starts in a few tens of ms.
// Started detached by process.ts (leader of its own process group, stdio to `keeper.log`), so it
// survives the terminal; one per checkout (the exclusive `keeper.lock`, see keeper-files.ts).
//
// Level-triggered: what should run is in the units folder, one `<label>.request.json` per service
// (run or not, and the generation of the latest start, restart or stop asked, see KeeperRequest);
// the keeper reads them all when it starts and on every SIGHUP, and carries out, per service, the
// latest request it has not carried out yet. A new generation of a running service restarts it at
// once (the hot reload path); run false stops it. Every service runs as its own process group (a
// stop reaches its children too) with its stdout+stderr appended to its log, is restarted on
// failure with its own backoff, never after exit 0 or 78, and stopped by its own crash-loop
// breaker; a service's end never ends the keeper or touches its siblings. After every change the
// keeper writes the service's state atomically to `<label>.json` and to its entry in the user's
// keeper registry (what the service is and whose checkout it serves), which outlives a deleted or
// moved checkout. SIGTERM/SIGINT stop every service (SIGTERM, SIGKILL after the grace) and end the
// keeper. The keeper ends by itself once it runs no service; the next request starts another.
//
// A keeper killed hard leaves its services running, unsupervised (each leads its own group): the
// next keeper (the next start, restart, stop or hot reload starts one) stops each leftover it finds
// recorded in a service's state before it runs that service again, so none runs twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isSameProcessSync, processStartTimeSync as startTimeOf } from '@nexu/service-kit/proc-stat';
import { waitFor } from '@nexu/service-kit/wait-for';
import { writeFileAtomicSync } from '@nexu/service-kit/write-file-atomic';
import { takeRecordLock } from '../checkout/lock.js';
import { CONFIG_EXIT_REASON, countCrashLoop, describeCrashLoop, EXIT_CONFIG } from './crash-loop.js';
import { keeperFiles, requestLabelOf } from './keeper-files.js';
import type { KeeperRequest, KeeperState, RegistryEntry } from './keeper-state.js';
import type { ProcessUnit } from './render-process-unit.js';
import type { LastExit } from './supervisor.js';

const [unitsDir, registryDir] = process.argv.slice(2);
if (!unitsDir) {
  console.error('usage: keeper.mjs <unitsDir> [<registryDir>]');
  process.exit(2);
}
// The keeper works in its units folder and reads and writes it by relative paths: a checkout moved
// with `mv` takes the keeper's working directory along, and its keeper goes on reading its requests
// there. What the registry records keeps the paths it was started with.
process.chdir(unitsDir);
const files = keeperFiles('.');
const recorded = keeperFiles(unitsDir);
const me = { pid: process.pid, startTime: startTimeOf(process.pid) };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A running service process: when it started, and a promise settled when it has ended. */
interface Child {
  readonly pid: number | undefined;
  readonly startedAt: number;
  readonly done: Promise<void>;
}

/** One service the keeper looks after. */
interface Service {
  readonly label: string;
  unit: ProcessUnit;
  readonly state: Mutable<KeeperState>;
  child: Child | null;
  /** A restart after a failure, waiting out the backoff. */
  timer: NodeJS.Timeout | null;
  backoff: number;
  failures: number[];
  /** A start, restart or stop is under way: the child's end is expected, not a failure. */
  busy: boolean;
  /** A request arrived while busy: read the requests again once done. */
  dirty: boolean;
}

const services = new Map<string, Service>();
let shuttingDown = false;

const readJson = <T>(path: string): T | null => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
};

/** The part of a unit's environment that says whose checkout it is (see machine-unit.ts). */
const checkoutEnvOf = (unit: ProcessUnit) =>
  Object.fromEntries(
    ['NEXU_DEV_INSTANCE', 'NEXU_DEV_ROOT', 'NEXU_HOME', 'PORT'].flatMap((key) =>
      unit.env[key] === undefined ? [] : [[key, unit.env[key]!]],
    ),
  );

function writeState(service: Service) {
  const { state, unit, label } = service;
  state.updatedAt = new Date().toISOString();
  // Both best effort: a checkout deleted under a running keeper takes <label>.json's folder along;
  // the keeper goes on supervising and reporting through the registry, where a later
  // `pnpm stop --orphans` finds it. The registry copy first: a command waits for the report in the
  // units folder, then may remove both copies (uninstall); a registry write after that report
  // would bring a removed entry back.
  if (registryDir) {
    const entry: RegistryEntry = {
      ...state,
      service: unit.service,
      checkoutId: unit.checkoutId,
      unitPath: recorded.unit(label),
      statePath: recorded.state(label),
      env: checkoutEnvOf(unit),
    };
    try {
      writeFileAtomicSync(join(registryDir, `${label}.json`), `${JSON.stringify(entry, null, 2)}\n`);
    } catch {}
  }
  try {
    writeFileAtomicSync(files.state(label), `${JSON.stringify(state, null, 2)}\n`);
  } catch {}
}

/** The newer of a service's two state copies (units folder, registry), as a previous keeper left them. */
function previousState(label: string): KeeperState | null {
  const copies = [
    readJson<KeeperState>(files.state(label)),
    registryDir ? readJson<KeeperState>(join(registryDir, `${label}.json`)) : null,
  ].filter((s): s is KeeperState => s?.label === label);
  return copies.sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''))[0] ?? null;
}

const describeExit = (code: number | null, signal: NodeJS.Signals | null) =>
  signal ? `killed by ${signal}` : `exited ${code}`;

/** The service's log, opened for appending; 'ignore' when its checkout is gone (never recreated). */
function openLog(unit: ProcessUnit): number | 'ignore' {
  try {
    if (existsSync(unit.cwd)) mkdirSync(dirname(unit.logPath), { recursive: true });
    return openSync(unit.logPath, 'a');
  } catch {
    return 'ignore';
  }
}

function launch(service: Service) {
  service.timer = null;
  const { unit, state } = service;
  const fd = openLog(unit);
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
  const child: Child = { pid: proc.pid, startedAt: Date.now(), done };
  let ended = false;
  const onEnd = (code: number | null, signal: NodeJS.Signals | null) => {
    if (ended) return;
    ended = true;
    resolveDone();
    onChildEnd(service, child, code, signal);
  };
  // A spawn failure (ENOENT, EACCES) emits 'error' and may never emit 'exit': count it as exit 127.
  proc.once('error', (error) => {
    console.error(`[keeper] ${unit.label}: cannot start ${unit.argv[0]}: ${error.message}`);
    onEnd(127, null);
  });
  proc.once('exit', (code, signal) => onEnd(code, signal));
  service.child = child;
  state.child = proc.pid ? { pid: proc.pid, startTime: startTimeOf(proc.pid) } : null;
  state.state = 'running';
  state.reason = null;
  writeState(service);
}

/** The service ended for good (until a new request): says why; the keeper ends if it runs nothing more. */
function finish(service: Service, finalState: KeeperState['state'], reason: string) {
  service.state.state = finalState;
  service.state.reason = reason;
  writeState(service);
  exitIfIdle();
}

function onChildEnd(service: Service, child: Child, code: number | null, signal: NodeJS.Signals | null) {
  const { unit, state } = service;
  if (service.child === child) service.child = null;
  state.child = null;
  state.lastExit = { code, signal } satisfies LastExit;
  if (service.busy || shuttingDown) return; // the request under way owns what happens next
  if (code === 0) return finish(service, 'stopped', 'exited 0');
  if (code === EXIT_CONFIG) return finish(service, 'stopped', CONFIG_EXIT_REASON);
  const now = Date.now();
  const count = countCrashLoop([...service.failures, now], now, unit.crashLoop);
  service.failures = count.recent;
  if (count.looping) return finish(service, 'crashed', describeCrashLoop(unit.crashLoop));
  // A service that ran for a whole window was healthy: start the backoff over.
  if (now - child.startedAt > unit.crashLoop.windowMs) service.backoff = unit.backoffMs;
  state.restarts += 1;
  state.state = 'starting';
  state.reason = `restarting after it ${describeExit(code, signal)}`;
  writeState(service);
  service.timer = setTimeout(() => launch(service), service.backoff);
  service.backoff = Math.min(service.backoff * 2, unit.maxBackoffMs);
}

const signalGroup = (pid: number | undefined, signal: NodeJS.Signals) => {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
};

/** Resolves once `check` is true, polling every few ms, or false after `ms`. */
const pollUntil = async (check: () => boolean, ms: number) =>
  (await waitFor(() => check() || undefined, { timeoutMs: ms, intervalMs: 5, maxIntervalMs: 50 })).ok;

/** SIGTERM to the service's group, SIGKILL after the grace; resolves once it has exited. */
async function killChild(service: Service): Promise<void> {
  const { child } = service;
  if (!child) return;
  signalGroup(child.pid, 'SIGTERM');
  const escalate = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), service.unit.stopGraceMs);
  await child.done;
  clearTimeout(escalate);
  // The group may hold children of the service that outlived it.
  signalGroup(child.pid, 'SIGKILL');
}

/**
 * Stops a service process a previous keeper (killed hard) left running, when its pid is still that
 * process (same start time): the same SIGTERM, grace, SIGKILL as a stop.
 */
async function stopLeftover(previous: KeeperState | null, graceMs: number): Promise<void> {
  const left = previous?.child;
  if (!left || previous.keeper.pid === me.pid) return;
  // Only a process known by its start time too: a bare pid may belong to someone else by now.
  const same = () => left.startTime !== null && isSameProcessSync(left.pid, left.startTime);
  if (!same()) return;
  signalGroup(left.pid, 'SIGTERM');
  if (!(await pollUntil(() => !same(), graceMs))) signalGroup(left.pid, 'SIGKILL');
  await pollUntil(() => !same(), 5000);
  signalGroup(left.pid, 'SIGKILL');
}

/** A service as this keeper first sees it: its unit, and what a previous keeper reported of it. */
function serviceFor(label: string, unit: ProcessUnit, previous: KeeperState | null): Service {
  const service: Service = {
    label,
    unit,
    state: {
      version: 1,
      label,
      keeper: me,
      child: null,
      restarts: previous?.restarts ?? 0,
      lastExit: previous?.lastExit ?? null,
      state: previous?.state === 'crashed' ? 'crashed' : 'stopped',
      reason: previous?.reason ?? null,
      generation: previous?.generation ?? null,
      updatedAt: null,
    },
    child: null,
    timer: null,
    backoff: unit.backoffMs,
    failures: [],
    busy: false,
    dirty: false,
  };
  services.set(label, service);
  return service;
}

const isActive = (service: Service) => service.child !== null || service.timer !== null || service.busy;

/**
 * Carries out the latest request of one service, when not done yet: (re)start it for a new
 * generation of `run: true`, stop it for `run: false` or a request that is gone.
 */
async function apply(label: string, request: KeeperRequest | null): Promise<void> {
  let service = services.get(label);
  if (service?.busy) {
    service.dirty = true;
    return;
  }
  if (service && request && service.state.generation === request.generation) return;
  if (!service && !request?.run) {
    // Not run by this keeper: what a previous one left is stopped (a keeper killed hard leaves its
    // services running), and the request is reported carried out.
    const unit = readJson<ProcessUnit>(files.unit(label));
    const previous = previousState(label);
    if (!request || unit?.label !== label) return;
    if (previous?.generation === request.generation && !previous.child) return;
    service = serviceFor(label, unit, previous);
    service.busy = true;
    await stopLeftover(previous, unit.stopGraceMs);
    service.busy = false;
    return stopped(service, request, previous?.state !== 'crashed' || previous.child !== null);
  }
  if (service && !request?.run) {
    if (!request && !isActive(service)) {
      services.delete(label); // uninstalled
      return;
    }
    const wasActive = isActive(service);
    service.busy = true;
    if (service.timer) clearTimeout(service.timer);
    service.timer = null;
    await killChild(service);
    service.busy = false;
    return stopped(service, request, wasActive || service.state.state !== 'crashed');
  }
  if (!request?.run) return;
  // Run it: the unit as installed now (a replaced unit is stopped, rewritten, then started).
  const unit = readJson<ProcessUnit>(files.unit(label)) ?? service?.unit;
  if (unit?.label !== label) {
    console.error(`[keeper] ${label}: asked to run, but ${recorded.unit(label)} is missing or unreadable`);
    return;
  }
  if (!service) {
    const previous = previousState(label);
    service = serviceFor(label, unit, previous);
    // The same request as the previous keeper's, which ended: it stays as it ended (a crash loop
    // stays stopped until the next start).
    const ended = previous?.state === 'stopped' || previous?.state === 'crashed';
    if (previous?.generation === request.generation && ended && !previous.child) return settle(service);
    service.busy = true;
    await stopLeftover(previous, unit.stopGraceMs);
    // A service the previous keeper was running when it died comes back under this one.
    if (previous?.generation !== request.generation) service.state.restarts = 0;
  } else {
    service.busy = true;
    // A restart of a running (or backing off) service keeps its count; a start after it ended does not.
    if (!isActiveBesidesBusy(service)) service.state.restarts = 0;
    if (service.timer) clearTimeout(service.timer);
    service.timer = null;
    await killChild(service);
  }
  service.busy = false;
  service.unit = unit;
  service.backoff = unit.backoffMs;
  service.failures = [];
  service.state.generation = request.generation;
  if (!shuttingDown) launch(service);
  settle(service);
}

/**
 * Reports a stop carried out: `stopped` when it ran (a crashed service stopped by its breaker stays
 * `crashed`, with its reason), with the stop's generation.
 */
function stopped(service: Service, request: KeeperRequest | null, wasRunning: boolean) {
  if (request) service.state.generation = request.generation;
  service.state.child = null;
  if (wasRunning) finish(service, 'stopped', 'stopped');
  else {
    writeState(service);
    exitIfIdle();
  }
  settle(service);
}

/** Whether the service runs or waits to restart, apart from the request now under way. */
const isActiveBesidesBusy = (service: Service) => service.child !== null || service.timer !== null;

/** After a request was carried out: one that arrived meanwhile is read now. */
function settle(service: Service) {
  if (!service.dirty) return;
  service.dirty = false;
  reconcile();
}

/** Every service's latest request, or null when the units folder cannot be read (its checkout was deleted). */
function readRequests(): Map<string, KeeperRequest> | null {
  let names: string[];
  try {
    names = readdirSync('.');
  } catch {
    return null;
  }
  const requests = new Map<string, KeeperRequest>();
  for (const name of names) {
    const label = requestLabelOf(name);
    if (!label) continue;
    const request = readJson<KeeperRequest>(name);
    if (typeof request?.generation === 'string' && typeof request.run === 'boolean')
      requests.set(label, request);
  }
  return requests;
}

/** Reads every request and carries out the new ones; each service on its own (one slow stop delays no other). */
function reconcile() {
  if (shuttingDown) return;
  // A checkout deleted under the keeper: it goes on as it was (stop --orphans ends it).
  const requests = readRequests();
  if (requests) {
    for (const label of new Set([...requests.keys(), ...services.keys()])) {
      void apply(label, requests.get(label) ?? null);
    }
  }
  exitIfIdle();
}

/** Ends the keeper when it runs no service and has no request under way. */
function exitIfIdle() {
  if (shuttingDown) return;
  for (const service of services.values()) if (isActive(service)) return;
  process.exit(0);
}

async function shutdown(): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  await Promise.all(
    [...services.values()].map(async (service) => {
      if (service.timer) clearTimeout(service.timer);
      service.timer = null;
      const wasActive = service.child !== null || service.busy;
      await killChild(service);
      if (!wasActive && service.state.state !== 'starting') return;
      service.state.child = null;
      service.state.state = 'stopped';
      service.state.reason = 'stopped';
      writeState(service);
    }),
  );
  process.exit(0);
}

// Handlers first: a command signals the keeper as soon as the lock names it.
process.on('SIGHUP', () => reconcile());
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

// One keeper per checkout: two commands starting one at the same moment (or a command killed right
// after it started one) must not make two, which would run every service twice. `keeper.lock` is the
// checkout lock's kind (written whole, then linked into place; a holder that is gone or is another
// process now is taken over under a guard), released when the keeper exits.
const lock = await takeRecordLock(files.lock, { command: 'keeper', createDir: false });
if (!lock.ok) {
  console.error(`keeper: another keeper already runs the services of ${unitsDir}; exiting`);
  process.exit(0);
}
reconcile();
