import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Checkout } from '../checkout/checkout.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';
import type { BuildError } from './build-result.js';
import { createRebuildQueue, type RebuildQueue } from './rebuild-queue.js';
import { parseTscOutput } from './tsc-output.js';

/** Options of `createTypecheck`. */
/** Where the build info of the checks lives, relative to the checkout root. */
export const TYPECHECK_CACHE_DIR = 'node_modules/.cache/nexu-dev/typecheck';

export interface TypecheckOptions {
  checkout: Pick<Checkout, 'root'>;
  services: readonly Pick<ServiceSpec, 'name' | 'dir'>[];
  /** Receives type errors and "type errors fixed" lines, per service (the caller prefixes/colours). */
  log: (service: ServiceName, line: string) => void;
  /** Quiet time after the last change before a check starts (default: the rebuild queue's). */
  debounceMs?: number;
  /**
   * Awaited before each check of `service` (the watch session: until its reload is done), so the
   * type checker never competes with a restart for the CPU.
   */
  after?: (service: ServiceName) => Promise<void>;
  /**
   * The errors of the service's last build when it failed (default: none). The build printed them
   * already: a type error on one of their lines is not printed again, and no type error claims the
   * reload went ahead.
   */
  buildErrors?: (service: ServiceName) => readonly BuildError[];
}

const TYPE_ERROR_AT = /^(.+?):(\d+):\d+: error TS/;

/** Type checking of the services beside the fast build. */
export interface Typecheck {
  /** A source of `service` changed: check its projects again (debounced, one run at a time each). */
  check(service: ServiceName): void;
  /** Pids of the type checks running now (for tests and diagnostics). */
  pids(): number[];
  /** Resolves once no check is running or queued. */
  idle(): Promise<void>;
  /** Stops queued checks and kills running ones; idempotent, returns the same promise. */
  close(): Promise<void>;
}

/** The tsconfig files of a service: `<dir>/tsconfig.json`, and `<dir>/src/tsconfig.json` (browser code) if present. */
export function resolveTypecheckProjects(
  spec: Pick<ServiceSpec, 'dir'>,
  checkout: Pick<Checkout, 'root'>,
): string[] {
  return [join(spec.dir, 'tsconfig.json'), join(spec.dir, 'src/tsconfig.json')].filter((p) =>
    existsSync(join(checkout.root, p)),
  );
}

/**
 * The command that runs the repo's TypeScript compiler: TypeScript 7's native binary directly
 * (its `bin/tsc` is a node script that only starts it), else `node typescript/bin/tsc`.
 */
export function resolveTscCommand(root: string): string[] {
  let requireTs: NodeJS.Require;
  try {
    requireTs = createRequire(createRequire(join(root, 'package.json')).resolve('typescript/package.json'));
  } catch {
    requireTs = createRequire(createRequire(import.meta.url).resolve('typescript/package.json'));
  }
  try {
    const native = requireTs.resolve(
      `@typescript/typescript-${process.platform}-${process.arch}/package.json`,
    );
    const exe = join(dirname(native), 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
    if (existsSync(exe)) return [exe];
  } catch {
    // TypeScript 5: the compiler is JavaScript
  }
  return [process.execPath, requireTs.resolve('typescript/bin/tsc')];
}

// A type check must not outlive the session, even one that was killed: see the preload's comment.
const EXIT_WITH_PARENT = fileURLToPath(new URL('../../bin/exit-with-parent.cjs', import.meta.url));

/**
 * Creates the type checker: after a change, `tsc --noEmit --incremental` of the service's projects
 * (each `tsconfig.json`), one run at a time per project, the last change always checked. Type
 * errors do NOT block the restart, only syntax errors do (esbuild fails on those): running code
 * with a type error is what `tsx watch` / `node --watch` do anyway, and the errors still show in
 * the same terminal, under the service's prefix, once per distinct set.
 *
 * One-shot incremental runs of the native compiler (TypeScript 7) rather than `tsc --watch`: a
 * check of one service takes a few hundred ms and nothing stays resident between saves (a
 * `tsc --watch` of TypeScript 5 held a few hundred MB per service). The build info is a cache, kept
 * where build tools keep theirs (`node_modules/.cache/`), not in the dev state: a check still
 * running when `pnpm reset-state` removes that state must not bring its folder back. Where only
 * TypeScript 5 is installed, the same runs work, slower.
 */
export function createTypecheck(options: TypecheckOptions): Typecheck {
  const { root } = options.checkout;
  const running = new Set<ChildProcess>();
  const queues = new Map<string, RebuildQueue>();
  const lastReport = new Map<string, string>();
  // Each project's errors as last reported, and whose project it is: a file in two projects of a
  // service (apps/web/src is in both of the web's) must not print its errors twice.
  const lastErrors = new Map<string, readonly string[]>();
  const serviceOf = new Map<string, ServiceName>();
  const buildInfoDir = join(root, TYPECHECK_CACHE_DIR);
  let tsc: string[] | undefined;
  let closed: Promise<void> | undefined;

  const runProject = (service: ServiceName, project: string) =>
    new Promise<void>((resolve) => {
      // Closed while this check waited for the reload: nothing may start after close().
      if (closed) return resolve();
      tsc ??= resolveTscCommand(root);
      mkdirSync(buildInfoDir, { recursive: true });
      const buildInfo = join(
        buildInfoDir,
        `${createHash('sha256').update(project).digest('hex').slice(0, 12)}.tsbuildinfo`,
      );
      const [command, ...args] = tsc;
      const child = spawn(
        command!,
        [
          ...args,
          '--noEmit',
          '--incremental',
          '--tsBuildInfoFile',
          buildInfo,
          '--pretty',
          'false',
          '-p',
          project,
        ],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
          env: {
            ...process.env,
            NEXU_DEV_PARENT_PID: String(process.pid),
            // Only node honours the preload; the native compiler ends with its run anyway.
            NODE_OPTIONS:
              `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(EXIT_WITH_PARENT)}`.trim(),
          },
        },
      );
      running.add(child);
      // Lowest CPU priority: the restarting service comes first; type errors may come a moment later.
      if (child.pid) {
        try {
          setPriority(child.pid, 19);
        } catch {
          // not permitted here: run at normal priority
        }
      }
      let output = '';
      child.stdout?.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr?.on('data', (chunk) => {
        output += chunk;
      });
      child.on('error', (error) => {
        options.log(service, `type check could not start: ${error.message}`);
      });
      child.on('close', (code, signal) => {
        running.delete(child);
        resolve();
        if (closed || signal) return;
        const errors = parseTscOutput(output);
        if (code !== 0 && errors.length === 0) {
          options.log(service, `type check of ${project} failed: ${output.trim() || `exit ${code}`}`);
          return;
        }
        const key = errors.join('\n');
        if (key === (lastReport.get(project) ?? '')) return;
        const hadErrors = lastReport.has(project) && lastReport.get(project) !== '';
        lastReport.set(project, key);
        const shownElsewhere = new Set(
          [...lastErrors].flatMap(([other, list]) =>
            other !== project && serviceOf.get(other) === service ? list : [],
          ),
        );
        lastErrors.set(project, errors);
        if (errors.length === 0) {
          if (hadErrors) options.log(service, `type errors fixed (${project})`);
          return;
        }
        const buildErrors = options.buildErrors?.(service) ?? [];
        const printedByBuild = (error: string) => {
          const at = TYPE_ERROR_AT.exec(error);
          return at !== null && buildErrors.some((b) => b.file === at[1] && b.line === Number(at[2]));
        };
        const fresh = errors.filter((error) => !shownElsewhere.has(error) && !printedByBuild(error));
        if (fresh.length === 0) return;
        for (const error of fresh) options.log(service, error);
        const count = `${fresh.length} type error${fresh.length === 1 ? '' : 's'}`;
        // Only a build that went ahead makes the claim true.
        options.log(
          service,
          `${count} in ${project}${buildErrors.length === 0 ? ' (reload not blocked)' : ''}`,
        );
      });
    });

  const queueOf = (service: ServiceName, project: string) => {
    let queue = queues.get(project);
    serviceOf.set(project, service);
    if (!queue) {
      queue = createRebuildQueue({
        run: async () => {
          await options.after?.(service);
          await runProject(service, project);
        },
        ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
      });
      queues.set(project, queue);
    }
    return queue;
  };

  return {
    check(service) {
      if (closed) return;
      const spec = options.services.find((s) => s.name === service);
      if (!spec) return;
      for (const project of resolveTypecheckProjects(spec, options.checkout))
        queueOf(service, project).notify();
    },
    pids: () => [...running].flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
    idle: () => Promise.all([...queues.values()].map((queue) => queue.idle())).then(() => undefined),
    close() {
      closed ??= (async () => {
        for (const child of running) {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }
        await Promise.all([...queues.values()].map((queue) => queue.close()));
      })();
      return closed;
    },
  };
}
