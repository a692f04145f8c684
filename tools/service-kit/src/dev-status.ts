// The watch session's status file and what the dashboard receives of it: written by `pnpm start`'s
// watch session (@nexu/dev), read by the web server, rendered by the page. Plain data and a checker,
// no Node APIs: the page's bundle imports it too.

/** Environment variable that tells the web server where the status file is; only its dev unit sets it. */
export const DEV_STATUS_FILE_ENV = 'NEXU_DEV_STATUS_FILE';

/** Shape version of the status file. */
export const DEV_STATUS_VERSION = 1;

/** Name of the live-reload stream's event that carries a `DevStatusView`. */
export const DEV_STATUS_EVENT = 'dev-status';

/** A service's state as its supervisor reports it (the states of `pnpm status`). */
export type DevServiceState = 'running' | 'starting' | 'stopped' | 'crashed' | 'not-installed';

/** One compiler error: `file:line:col: text` (file relative to the checkout when inside it). */
export interface DevBuildError {
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  readonly text: string;
}

/** A failed build whose previous output still serves. */
export interface DevBuildFailure {
  /** What failed to build: `controller`, `web server`, `web client`. */
  readonly what: string;
  /** When (ISO-8601). */
  readonly at: string;
  readonly errors: readonly DevBuildError[];
}

/** The last reload of a service (a restart on a new build, or a rebuilt web client). */
export interface DevReload {
  readonly what: string;
  readonly at: string;
  readonly ok: boolean;
  /** Save to serving: build plus restart. */
  readonly durationMs: number;
  /** First line of why it failed, when it did. */
  readonly error: string | null;
}

/** Why a service is down: the supervisor's reason and the error it died of. */
export interface DevCrash {
  /** The supervisor's reason (`crash loop: 5 failed starts in 30s`, `exited 78 ...`). */
  readonly reason: string;
  /** First line of the error it died of (`Error: boom at startup`), when its log holds one. */
  readonly message: string | null;
  /** Where that error was thrown (`apps/gateway/src/main.ts:3:7`). */
  readonly location: string | null;
  /** The last lines of its log. */
  readonly lines: readonly string[];
}

/** One service, as the watch session last saw it. */
export interface DevServiceStatus {
  readonly name: string;
  readonly state: DevServiceState;
  /** Answers `/health` as this checkout's current process. */
  readonly healthy: boolean;
  readonly pid: number | null;
  readonly port: number;
  /** When the running process started (from its `/health`); the page counts the uptime from it. */
  readonly startedAt: string | null;
  readonly restarts: number;
  /** What a save is doing to it right now. */
  readonly activity: 'building' | 'reloading' | null;
  readonly lastReload: DevReload | null;
  /** Builds that failed since the last good one, per part (a web server and its client fail apart). */
  readonly buildFailures: readonly DevBuildFailure[];
  /** Set while the service is crashed or stopped. */
  readonly crash: DevCrash | null;
}

/** The file the watch session writes: its own identity (so a dead session reads as not watching) and the services. */
export interface DevStatusFile {
  readonly version: typeof DEV_STATUS_VERSION;
  readonly watcher: {
    readonly pid: number;
    /** Opaque start time of the watcher process (see `processStartTimeSync`), against pid reuse. */
    readonly startTime: string;
    readonly startedAt: string;
  };
  readonly updatedAt: string;
  readonly backend: string;
  readonly services: readonly DevServiceStatus[];
}

/** What the dashboard receives: no pids of the watcher, no paths of the state folder, no secrets. */
export interface DevStatusView {
  /** Whether a watch session (`pnpm start`) is running; the services may run without one. */
  readonly watching: boolean;
  readonly backend: string | null;
  readonly updatedAt: string | null;
  /** Empty when not watching: facts of a session that ended are stale. */
  readonly services: readonly DevServiceStatus[];
}

/** The view when no watch session runs. */
export const NOT_WATCHING: DevStatusView = { watching: false, backend: null, updatedAt: null, services: [] };

/** Outcome of checking a status file. */
export type DevStatusParse =
  | { readonly ok: true; readonly status: DevStatusFile }
  | { readonly ok: false; readonly reason: string };

// Bounds on what reaches a page: a runaway message cannot make every status event megabytes long.
const MAX_TEXT = 2_000;
const MAX_ITEMS = 40;

class ShapeError extends Error {}

type Obj = Record<string, unknown>;

function object(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShapeError(`${where} is not an object`);
  }
  return value as Obj;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${where} is not a string`);
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}

function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ShapeError(`${where} is not a number`);
  }
  return value;
}

function nullable<T>(value: unknown, where: string, read: (v: unknown, w: string) => T): T | null {
  return value === null || value === undefined ? null : read(value, where);
}

function list<T>(value: unknown, where: string, read: (v: unknown, w: string) => T): T[] {
  if (!Array.isArray(value)) throw new ShapeError(`${where} is not a list`);
  return value.slice(-MAX_ITEMS).map((item, i) => read(item, `${where}[${i}]`));
}

function oneOf<T extends string>(value: unknown, where: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new ShapeError(`${where} is not one of ${allowed.join(', ')}`);
  return value as T;
}

const STATES: readonly DevServiceState[] = ['running', 'starting', 'stopped', 'crashed', 'not-installed'];
const ACTIVITIES: ReadonlyArray<NonNullable<DevServiceStatus['activity']>> = ['building', 'reloading'];

function buildError(value: unknown, where: string): DevBuildError {
  const o = object(value, where);
  return {
    file: nullable(o.file, `${where}.file`, text),
    line: nullable(o.line, `${where}.line`, count),
    column: nullable(o.column, `${where}.column`, count),
    text: text(o.text, `${where}.text`),
  };
}

function service(value: unknown, where: string): DevServiceStatus {
  const o = object(value, where);
  const reload = nullable(o.lastReload, `${where}.lastReload`, (v, w) => {
    const r = object(v, w);
    if (typeof r.ok !== 'boolean') throw new ShapeError(`${w}.ok is not a boolean`);
    return {
      what: text(r.what, `${w}.what`),
      at: text(r.at, `${w}.at`),
      ok: r.ok,
      durationMs: count(r.durationMs, `${w}.durationMs`),
      error: nullable(r.error, `${w}.error`, text),
    };
  });
  const crash = nullable(o.crash, `${where}.crash`, (v, w) => {
    const c = object(v, w);
    return {
      reason: text(c.reason, `${w}.reason`),
      message: nullable(c.message, `${w}.message`, text),
      location: nullable(c.location, `${w}.location`, text),
      lines: list(c.lines, `${w}.lines`, text),
    };
  });
  if (typeof o.healthy !== 'boolean') throw new ShapeError(`${where}.healthy is not a boolean`);
  return {
    name: text(o.name, `${where}.name`),
    state: oneOf(o.state, `${where}.state`, STATES),
    healthy: o.healthy,
    pid: nullable(o.pid, `${where}.pid`, count),
    port: count(o.port, `${where}.port`),
    startedAt: nullable(o.startedAt, `${where}.startedAt`, text),
    restarts: count(o.restarts, `${where}.restarts`),
    activity: o.activity === null ? null : oneOf(o.activity, `${where}.activity`, ACTIVITIES),
    lastReload: reload,
    buildFailures: list(o.buildFailures, `${where}.buildFailures`, (v, w) => {
      const f = object(v, w);
      return {
        what: text(f.what, `${w}.what`),
        at: text(f.at, `${w}.at`),
        errors: list(f.errors, `${w}.errors`, buildError),
      };
    }),
    crash,
  };
}

/**
 * Checks a parsed status file and copies out only the fields of its shape (an unknown field never
 * reaches a page); long texts and lists are cut. A file of another version is refused with why.
 */
export function parseDevStatusFile(value: unknown): DevStatusParse {
  try {
    const o = object(value, 'the status file');
    if (o.version !== DEV_STATUS_VERSION) {
      return { ok: false, reason: `version ${String(o.version)} is not ${DEV_STATUS_VERSION}` };
    }
    const watcher = object(o.watcher, 'watcher');
    return {
      ok: true,
      status: {
        version: DEV_STATUS_VERSION,
        watcher: {
          pid: count(watcher.pid, 'watcher.pid'),
          startTime: text(watcher.startTime, 'watcher.startTime'),
          startedAt: text(watcher.startedAt, 'watcher.startedAt'),
        },
        updatedAt: text(o.updatedAt, 'updatedAt'),
        backend: text(o.backend, 'backend'),
        services: list(o.services, 'services', service),
      },
    };
  } catch (error) {
    if (error instanceof ShapeError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The view of a status file whose watcher is alive. */
export function viewOf(status: DevStatusFile): DevStatusView {
  return { watching: true, backend: status.backend, updatedAt: status.updatedAt, services: status.services };
}
