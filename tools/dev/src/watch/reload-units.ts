import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';
import { type BuildError, formatBuildErrors } from './build-result.js';
import type { ReloadEvent } from './reload-event.js';
import { createServiceBuilder } from './service-builder.js';
import { createWebBuilder } from './web-builder.js';

/** Hooks a reload unit needs from the session (the supervisor is the caller's). */
export interface ReloadHooks {
  /**
   * Restarts the service on its new build and resolves `'restarted'` once it answers as ours
   * again, or `'cancelled'` when it did not restart it because the session is ending (the
   * session's last line says why).
   */
  restartService: (name: ServiceName) => Promise<'restarted' | 'cancelled'>;
  log: (service: ServiceName, line: string) => void;
  /** Receives what each unit is doing, as data (the dev status file); default: nothing. */
  onEvent?: (event: ReloadEvent) => void;
  /** Folder `vite` is resolved from (default: the web service's folder). */
  viteFrom?: string;
}

/** One thing that rebuilds on its own: a Node service (build + restart) or a web client bundle (build only). */
export interface ReloadUnit {
  readonly service: ServiceName;
  /** Whether a changed absolute path concerns this unit. */
  matches(path: string): boolean;
  /** Rebuild, then restart if needed; reports through `log`, never throws. */
  reload(): Promise<void>;
  /** The errors of its last build when that failed; none after a good one. */
  errors(): readonly BuildError[];
  /** What it rebuilds, as its lines name it: `controller`, `web server`, `web client`. */
  readonly what: string;
  /**
   * Called once the session watches. A Node unit primes esbuild's incremental context, so its
   * first reload is as fast as the next; a web client unit does nothing: its first rebuild loads
   * Vite (see `createWebBuilder`).
   */
  warmUp(): Promise<void>;
  /** Whether its build tool is loaded (esbuild's context; Vite). */
  loaded(): boolean;
  dispose(): Promise<void>;
}

const under = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/** Whether a service is a Vite app with a Node server (its folder has an `index.html`). */
export function hasWebClient(spec: Pick<ServiceSpec, 'dir'>, checkout: Pick<Checkout, 'root'>): boolean {
  return existsSync(join(checkout.root, spec.dir, 'index.html'));
}

/**
 * The units of a service. A service with an `index.html` is a Vite app with a Node server: changes
 * under `server/` rebuild `server/main.ts` and restart it; any other change only rebuilds the client
 * bundle (the server keeps running and tells open pages to reload). `package.json` and workspace
 * packages concern both.
 * Any other service is one Node unit built from `src/main.ts`.
 */
export function createReloadUnits(
  spec: Pick<ServiceSpec, 'name' | 'dir'>,
  checkout: Pick<Checkout, 'root'>,
  hooks: ReloadHooks,
): ReloadUnit[] {
  const dir = join(checkout.root, spec.dir);
  if (!hasWebClient(spec, checkout)) return [createNodeUnit(spec, checkout, hooks, () => true)];
  const server = join(dir, 'server');
  const manifest = join(dir, 'package.json');
  return [
    // Outside the folder = a workspace package the service depends on: both sides may use it (a
    // client rebuild that changes nothing reloads no page).
    createNodeUnit(
      spec,
      checkout,
      hooks,
      (p) => under(p, server) || p === manifest || !under(p, dir),
      'server/main.ts',
    ),
    createWebClientUnit(spec, checkout, hooks, (p) => !under(p, server)),
  ];
}

/**
 * Prints a build failure once: the same errors again (no good build in between) print nothing.
 * Keeps the errors of the last build while it failed.
 */
function createFailureReporter(service: ServiceName, log: ReloadHooks['log']) {
  let last: string | undefined;
  let current: readonly BuildError[] = [];
  return {
    failed(what: string, errors: readonly BuildError[]) {
      current = errors;
      const text = formatBuildErrors(errors);
      if (text === last) return;
      last = text;
      log(service, `${what} failed; still serving the last good build:`);
      for (const line of text.split('\n')) log(service, line);
    },
    succeeded() {
      last = undefined;
      current = [];
    },
    errors: () => current,
  };
}

function createNodeUnit(
  spec: Pick<ServiceSpec, 'name' | 'dir'>,
  checkout: Pick<Checkout, 'root'>,
  hooks: ReloadHooks,
  matches: (path: string) => boolean,
  entry?: string,
): ReloadUnit {
  const name = spec.name;
  const builder = createServiceBuilder(spec, checkout, entry ? { entry } : {});
  const failures = createFailureReporter(name, hooks.log);
  const emit = hooks.onEvent ?? (() => {});
  // The web server is one of two parts of its service; any other service is one part.
  const what = entry ? `${name} server` : name;
  return {
    service: name,
    what,
    matches,
    async reload() {
      emit({ kind: 'building', service: name, what });
      const built = await builder.build();
      if (!built.ok) {
        emit({ kind: 'build-failed', service: name, what, errors: built.errors });
        return failures.failed(`${name} build`, built.errors);
      }
      failures.succeeded();
      if (!built.changed) {
        emit({ kind: 'built', service: name, what });
        hooks.log(name, `${name} built in ${built.durationMs} ms, output unchanged: not restarted`);
        return;
      }
      emit({ kind: 'restarting', service: name, what });
      const started = performance.now();
      try {
        if ((await hooks.restartService(name)) === 'cancelled') return;
      } catch (error) {
        const message = String((error as Error).message ?? error);
        emit({ kind: 'reload-failed', service: name, what, message });
        hooks.log(name, `Unable to reload ${name}: ${message}`);
        return;
      }
      const restartMs = Math.round(performance.now() - started);
      emit({ kind: 'reloaded', service: name, what, durationMs: built.durationMs + restartMs });
      hooks.log(
        name,
        `${name} reloaded in ${built.durationMs + restartMs} ms (build ${built.durationMs} ms, restart ${restartMs} ms)`,
      );
    },
    errors: failures.errors,
    warmUp: () => builder.warmUp(),
    loaded: () => builder.loaded(),
    dispose: () => builder.dispose(),
  };
}

function createWebClientUnit(
  spec: Pick<ServiceSpec, 'name' | 'dir'>,
  checkout: Pick<Checkout, 'root'>,
  hooks: ReloadHooks,
  matches: (path: string) => boolean,
): ReloadUnit {
  const name = spec.name;
  const builder = createWebBuilder(spec, checkout, hooks.viteFrom ? { viteFrom: hooks.viteFrom } : {});
  const failures = createFailureReporter(name, hooks.log);
  const emit = hooks.onEvent ?? (() => {});
  const what = `${name} client`;
  return {
    service: name,
    what,
    matches,
    async reload() {
      emit({ kind: 'building', service: name, what });
      const built = await builder.build();
      if (!built.ok) {
        emit({ kind: 'build-failed', service: name, what, errors: built.errors });
        return failures.failed(`${name} client build`, built.errors);
      }
      failures.succeeded();
      emit(
        built.changedFiles === 0
          ? { kind: 'built', service: name, what }
          : { kind: 'reloaded', service: name, what, durationMs: built.durationMs },
      );
      const change =
        built.changedFiles === 0 ? 'no change' : `${built.changedFiles} files changed, open pages reload`;
      // The first rebuild loads Vite (~0.5-1 s once): the line says why it took longer.
      const loaded = built.loadedVite ? 'loaded Vite first; ' : '';
      hooks.log(name, `${name} client rebuilt in ${built.durationMs} ms (${loaded}${change})`);
    },
    errors: failures.errors,
    // Nothing up front: Vite loaded holds ~30 MB, and many sessions never change the web client.
    warmUp: async () => {},
    loaded: () => builder.loaded(),
    dispose: () => builder.dispose(),
  };
}
