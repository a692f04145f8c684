import { type FSWatcher, readFileSync, watch as watchFolder } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';
import { takeRecordLock } from '../checkout/lock.js';
import { formatDuration } from '../format/format-duration.js';
import { replaceRunningService } from '../plan/replace-running-service.js';
import { readLedger } from '../ports/ledger.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { EnvFileError, envFilePaths } from '../services/env-files.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import type { FollowedTarget } from './followed-target.js';

export interface EnvFileWatchOptions {
  readonly checkout: Checkout;
  /** The services of the session, in dependency order. */
  readonly services: readonly ServiceSpec[];
  readonly target: FollowedTarget;
  readonly log: (service: ServiceName, line: string) => void;
  /** False once the checkout was stopped or reset elsewhere: nothing is replaced then. */
  readonly stillRunning?: () => Promise<boolean>;
  /** Backstop poll in ms for changes the folder watch misses (default 2000). */
  readonly pollIntervalMs?: number;
}

/** A running watch of the `.env` files; `close()` is idempotent. */
export interface EnvFileWatch {
  /** Resolves once no replacement is running or queued. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches the `.env` / `.env.local` files of the repo root and of each service's folder. A change
 * is unit drift: every service whose unit now renders differently is replaced (reinstalled and
 * restarted through its supervisor, under the checkout's lock, waiting until it answers as ours)
 * with one line naming the file and the variables (never their values); the others are untouched.
 * A bad line is reported with its file and line, and the service keeps its environment.
 */
export function watchEnvFiles(options: EnvFileWatchOptions): EnvFileWatch {
  const { checkout, services, target, log } = options;
  const files = [...new Set(services.flatMap((spec) => envFilePaths(spec, checkout)))];
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  };
  const seen = new Map(files.map((path) => [path, read(path)]));
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  const look = () => {
    if (closed) return;
    const changed = files.filter((path) => {
      const now = read(path);
      if (now === seen.get(path)) return false;
      seen.set(path, now);
      return true;
    });
    if (changed.length === 0) return;
    chain = chain.then(() => apply(changed)).catch(() => undefined);
  };

  const apply = async (changed: readonly string[]) => {
    if (closed || (options.stillRunning && !(await options.stillRunning()))) return;
    const concerned = services.filter((spec) =>
      changed.some((path) => envFilePaths(spec, checkout).includes(path)),
    );
    const names = changed.map((path) => relative(checkout.root, path)).join(', ');
    for (const spec of concerned) {
      try {
        const outcome = await replaceIfDrifted(spec);
        if (outcome) {
          log(
            spec.name,
            `${names} changed: ${spec.name} replaced in ${formatDuration(outcome.ms)} (${outcome.drift.join(', ')})`,
          );
        }
      } catch (error) {
        const message =
          error instanceof EnvFileError
            ? `${error.file}:${error.line}: ${error.problem}: not applied; ${spec.name} keeps its environment until the file is fixed`
            : `Unable to apply ${names} to ${spec.name}: ${(error as Error).message}`;
        log(spec.name, message);
      }
    }
  };

  /** Replaces the service when its unit no longer renders as installed; null when nothing changed. */
  const replaceIfDrifted = async (spec: ServiceSpec) => {
    const taken = await takeRecordLock(checkout.lockPath, {
      command: 'pnpm start (env file changed)',
      brief: true,
      waitMs: 60_000,
      createDir: false,
    }).catch(() => null);
    if (taken === null || !taken.ok) return null;
    try {
      const { ledger } = await readLedger(checkout);
      if (!ledger?.services[spec.name] || closed) return null;
      target.follow(ledger);
      const { supervisor } = target.current();
      const unit = resolveUnitSpec(spec, checkout, expectedPorts(checkout, ledger));
      const drift = await supervisor.drift(unit);
      if (drift === null || drift.length === 0) return null;
      const began = performance.now();
      await replaceRunningService({
        checkout,
        supervisor,
        spec,
        unit,
        cause: 'env file changed',
        install: true,
      });
      return { ms: performance.now() - began, drift };
    } finally {
      await taken.lock.release();
    }
  };

  const watchers: FSWatcher[] = [];
  for (const folder of new Set(files.map((path) => dirname(path)))) {
    try {
      const watcher = watchFolder(folder, { persistent: false }, (_event, name) => {
        if (name === null || String(name).startsWith('.env')) look();
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // The poll covers a folder that cannot be watched.
    }
  }
  const timer = setInterval(look, options.pollIntervalMs ?? 2_000);
  timer.unref();
  let closing: Promise<void> | undefined;
  return {
    idle: () => chain,
    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(timer);
        for (const watcher of watchers) watcher.close();
        await chain;
      })();
      return closing;
    },
  };
}
