import { type FSWatcher, watch } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { writeFileAtomic } from '@nexu/service-kit';
import {
  DEV_STATUS_VERSION,
  type DevCrash,
  type DevServiceState,
  type DevServiceStatus,
  type DevStatusFile,
} from '@nexu/service-kit/dev-status';
import type { ServiceName } from '../services/manifest.js';
import { applyReloadEvent, IDLE, type ReloadActivity } from './reload-activity.js';
import type { ReloadEvent } from './reload-event.js';

/** What the supervisor and `/health` say of a service now (the facts of `pnpm status`). */
export interface LiveServiceFacts {
  readonly state: DevServiceState;
  readonly pid: number | null;
  readonly port: number;
  readonly healthy: boolean;
  readonly startedAt: string | null;
  readonly restarts: number;
  /** Why it is crashed or stopped, when the supervisor says. */
  readonly reason: string | null;
}

/** Options of `createDevStatusWriter`. */
export interface DevStatusWriterOptions {
  /** The status file (`devStatusPath(checkout)`). */
  readonly path: string;
  readonly backend: string;
  /** Each service of the session: its port, and its log file (its growth means its facts may have changed). */
  readonly services: ReadonlyArray<{
    readonly name: ServiceName;
    readonly port: number;
    readonly logPath: string;
  }>;
  readonly readFacts: (service: ServiceName) => Promise<LiveServiceFacts>;
  /** Why a crashed or stopped service is down: the error in its log and its last lines. */
  readonly readCrash: (service: ServiceName, reason: string) => Promise<DevCrash>;
  /** The watch session's process: a page tells a dead session by it. */
  readonly watcher: DevStatusFile['watcher'];
  /** Values that must never reach the file (the pass-through secrets): replaced by `***`. */
  readonly secrets?: readonly string[];
  /** A failed read or write (the session goes on; the file is written again on the next change). */
  readonly onError?: (error: Error) => void;
}

/** Keeps the dev status file current while a watch session runs. */
export interface DevStatusWriter {
  /** Takes in what a reload unit did. */
  record(event: ReloadEvent): void;
  /** Resolves once no read or write is running or due (for tests). */
  settled(): Promise<void>;
  /** Stops watching, finishes the last write, removes the file if it is still this session's. Idempotent. */
  close(): Promise<void>;
}

interface Entry {
  facts: LiveServiceFacts | undefined;
  reload: ReloadActivity;
  crash: DevCrash | null;
  /** A refresh is running; `again` asks for one more after it. */
  refreshing: Promise<void> | undefined;
  again: boolean;
  /** Follow-up reads while the service is changing (starting, restarting, unhealthy). */
  followUp: NodeJS.Timeout | undefined;
  followUps: number;
  lastRefresh: number;
}

/** A log line now and then must not cost a supervisor query each: at most one per service per second. */
const MIN_REFRESH_GAP_MS = 1_000;
/** Follow-up reads of a changing service: 0.5 s, 1 s, 2 s, then every 4 s until it settles. */
const FOLLOW_UP_MS = [500, 1_000, 2_000, 4_000];

/**
 * Creates the writer and writes the file once every service's facts are read. Facts are read again
 * after each reload, when a service's log grows (a crash, a restart), and while a service is
 * changing: no polling while everything is settled, so an idle session costs nothing.
 */
export function createDevStatusWriter(options: DevStatusWriterOptions): DevStatusWriter {
  const onError = options.onError ?? (() => {});
  const entries = new Map<ServiceName, Entry>(
    options.services.map(({ name }) => [
      name,
      {
        facts: undefined,
        reload: IDLE,
        crash: null,
        refreshing: undefined,
        again: false,
        followUp: undefined,
        followUps: 0,
        lastRefresh: 0,
      },
    ]),
  );
  const secrets = (options.secrets ?? []).filter((secret) => secret.length > 0);
  let closed = false;
  // The first write waits until every service's facts were read once.
  let started = false;
  let writing: Promise<void> | undefined;
  let dirty = false;
  let written: string | undefined;

  const redact = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);

  const snapshot = (): string => {
    const services: DevServiceStatus[] = [];
    for (const [name, entry] of entries) {
      const facts = entry.facts;
      services.push({
        name,
        state: facts?.state ?? 'starting',
        healthy: facts?.healthy ?? false,
        pid: facts?.pid ?? null,
        port: facts?.port ?? options.services.find((s) => s.name === name)!.port,
        startedAt: facts?.startedAt ?? null,
        restarts: facts?.restarts ?? 0,
        activity: entry.reload.activity,
        lastReload: entry.reload.lastReload,
        buildFailures: [...entry.reload.failures.values()],
        crash: entry.crash,
      });
    }
    return JSON.stringify({ backend: options.backend, services }, (_key, value: unknown) =>
      typeof value === 'string' ? redact(value) : value,
    );
  };

  const write = (): void => {
    dirty = true;
    if (!started) return;
    writing ??= (async () => {
      while (dirty && !closed) {
        dirty = false;
        const body = snapshot();
        if (body === written) continue;
        const { backend, services } = JSON.parse(body) as Pick<DevStatusFile, 'backend' | 'services'>;
        const file: DevStatusFile = {
          version: DEV_STATUS_VERSION,
          watcher: options.watcher,
          updatedAt: new Date().toISOString(),
          backend,
          services,
        };
        try {
          // Never brings back a state folder `pnpm reset-state` removed: the session is ending.
          await writeFileAtomic(options.path, `${JSON.stringify(file, null, 2)}\n`, {
            durable: false,
            createDir: false,
          });
          written = body;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error as Error);
        }
      }
    })().finally(() => {
      writing = undefined;
    });
  };

  const settledFacts = (facts: LiveServiceFacts, entry: Entry) =>
    entry.reload.activity === null &&
    (facts.state === 'crashed' ||
      facts.state === 'stopped' ||
      facts.state === 'not-installed' ||
      (facts.state === 'running' && facts.healthy));

  const readOnce = async (name: ServiceName, entry: Entry) => {
    entry.lastRefresh = performance.now();
    try {
      const facts = await options.readFacts(name);
      entry.facts = facts;
      const down = facts.state === 'crashed' || facts.state === 'stopped';
      entry.crash = down ? await options.readCrash(name, facts.reason ?? facts.state) : null;
      write();
      clearTimeout(entry.followUp);
      entry.followUp = undefined;
      if (settledFacts(facts, entry) || closed) {
        entry.followUps = 0;
        return;
      }
      const delay = FOLLOW_UP_MS[Math.min(entry.followUps, FOLLOW_UP_MS.length - 1)]!;
      entry.followUps += 1;
      entry.followUp = setTimeout(() => refreshOne(name), delay);
      entry.followUp.unref();
    } catch (error) {
      onError(error as Error);
    }
  };

  function refreshOne(name: ServiceName): void {
    const entry = entries.get(name);
    if (!entry || closed) return;
    if (entry.refreshing) {
      entry.again = true;
      return;
    }
    entry.refreshing = (async () => {
      do {
        entry.again = false;
        await readOnce(name, entry);
      } while (entry.again && !closed);
    })().finally(() => {
      entry.refreshing = undefined;
    });
  }

  /** A refresh prompted by log output: no more than one per service per `MIN_REFRESH_GAP_MS`. */
  const nudge = (name: ServiceName) => {
    const entry = entries.get(name);
    if (!entry || closed || entry.followUp) return;
    const wait = entry.lastRefresh + MIN_REFRESH_GAP_MS - performance.now();
    if (wait <= 0) return refreshOne(name);
    entry.followUp = setTimeout(() => {
      entry.followUp = undefined;
      refreshOne(name);
    }, wait);
    entry.followUp.unref();
  };

  const watchers: FSWatcher[] = [];
  for (const dir of new Set(options.services.map((s) => dirname(s.logPath)))) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, file) => {
        const service = options.services.find((s) => basename(s.logPath) === file);
        if (service) nudge(service.name);
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // No logs folder (yet): facts are still read after every reload.
    }
  }

  const record = (event: ReloadEvent) => {
    const entry = entries.get(event.service);
    if (!entry || closed) return;
    entry.reload = applyReloadEvent(entry.reload, event, new Date().toISOString());
    write();
    if (event.kind === 'reloaded' || event.kind === 'reload-failed') refreshOne(event.service);
  };

  for (const name of entries.keys()) refreshOne(name);
  const firstRead = Promise.all([...entries.values()].map((e) => e.refreshing)).then(() => {
    started = true;
    write();
  });

  let closing: Promise<void> | undefined;
  return {
    record,
    async settled() {
      await firstRead;
      for (;;) {
        const busy = [...entries.values()].flatMap((e) => (e.refreshing ? [e.refreshing] : []));
        if (writing) busy.push(writing);
        if (busy.length === 0) return;
        await Promise.all(busy);
      }
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await firstRead;
        for (const watcher of watchers) watcher.close();
        for (const entry of entries.values()) clearTimeout(entry.followUp);
        await Promise.all([...entries.values()].map((e) => e.refreshing));
        await writing;
        // Another session may have taken the file over since: leave its file alone.
        const current = await readFile(options.path, 'utf8').catch(() => undefined);
        if (current !== undefined && ownedBy(current, options.watcher.pid)) {
          await rm(options.path, { force: true }).catch((error: Error) => onError(error));
        }
      })();
      return closing;
    },
  };
}

function ownedBy(text: string, pid: number): boolean {
  try {
    return (JSON.parse(text) as Partial<DevStatusFile>).watcher?.pid === pid;
  } catch {
    return false;
  }
}
