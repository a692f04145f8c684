import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Checkout } from '../checkout/checkout.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';
import { createTscWatchOutput } from './tsc-watch-output.js';

/** Options of `createTypecheck`. */
export interface TypecheckOptions {
  checkout: Pick<Checkout, 'root'>;
  services: readonly Pick<ServiceSpec, 'name' | 'dir'>[];
  /** Receives type errors and "type errors fixed" lines, per service (the caller prefixes/colours). */
  log: (service: ServiceName, line: string) => void;
}

/** Watch-mode typechecking of the services, alongside the fast build. */
export interface Typecheck {
  /**
   * Spawns one `tsc --noEmit --watch` per tsconfig of `service` (default: of every service);
   * a service already checked is left as it is.
   */
  start(service?: ServiceName): void;
  /** Pids of the running tsc processes (for tests and diagnostics). */
  pids(): number[];
  /** Kills every tsc process and waits until each has exited; idempotent, returns the same promise. */
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

function resolveTsc(root: string): string {
  try {
    return createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  }
}

const KILL_GRACE_MS = 3_000;

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const escalate = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), KILL_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(escalate);
      resolve();
    });
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  });
}

// tsc must not outlive the session, even one that was killed: see the preload's comment.
const EXIT_WITH_PARENT = fileURLToPath(new URL('../../bin/exit-with-parent.cjs', import.meta.url));

/**
 * Creates the typechecker. Type errors do NOT block the restart, only syntax errors do (esbuild
 * fails on those): tsc needs seconds on this machine where esbuild needs tens of ms, so waiting for
 * it would make every reload as slow as a full typecheck, and running code with a type error is
 * what `tsx watch` / `node --watch` do anyway. The errors still show up in the same terminal, under
 * the service's prefix, once per change.
 *
 * Plain `child_process` rather than concurrently's API: we filter tsc's output before it is printed
 * and the caller does the prefixing through `log`, which leaves concurrently nothing to do.
 */
export function createTypecheck(options: TypecheckOptions): Typecheck {
  const { root } = options.checkout;
  const children: ChildProcess[] = [];
  const started = new Set<ServiceName>();
  let closed: Promise<void> | undefined;

  const spawnTsc = (service: ServiceName, project: string) => {
    const child = spawn(
      process.execPath,
      [
        '--require',
        EXIT_WITH_PARENT,
        resolveTsc(root),
        '--noEmit',
        '--watch',
        '--preserveWatchOutput',
        '--pretty',
        'false',
        '-p',
        project,
      ],
      // Detached: its own process group, killed as a group on close.
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: { ...process.env, NEXU_DEV_PARENT_PID: String(process.pid) },
      },
    );
    children.push(child);
    // Lowest CPU priority: on a small machine tsc re-checking the same save would otherwise compete
    // with the restarting service and roughly double the reload time. Type errors may come later.
    if (child.pid) {
      try {
        setPriority(child.pid, 19);
      } catch {
        // not permitted here: run at normal priority
      }
    }
    const output = createTscWatchOutput(({ errors }) => {
      if (errors.length === 0) {
        options.log(service, `type errors fixed (${project})`);
        return;
      }
      for (const error of errors) options.log(service, error);
      const count = `${errors.length} type error${errors.length === 1 ? '' : 's'}`;
      options.log(service, `${count} in ${project} (reload not blocked)`);
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => output.push(line));
    }
    child.on('error', (error) => options.log(service, `typecheck could not start: ${error.message}`));
  };

  return {
    start(service) {
      if (closed) return;
      for (const spec of options.services) {
        if ((service !== undefined && spec.name !== service) || started.has(spec.name)) continue;
        started.add(spec.name);
        for (const project of resolveTypecheckProjects(spec, options.checkout)) spawnTsc(spec.name, project);
      }
    },
    pids: () =>
      children.flatMap((c) =>
        c.pid !== undefined && c.exitCode === null && c.signalCode === null ? [c.pid] : [],
      ),
    close() {
      closed ??= Promise.all(children.map(stopProcess)).then(() => undefined);
      return closed;
    },
  };
}
