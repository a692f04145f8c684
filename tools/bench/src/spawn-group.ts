import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { terminateGroup } from '@nexu/dev';
import type { CleanupRegistry } from './cleanup-registry.js';

/** A command started by the bench in its own process group. */
export interface SpawnedGroup {
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal) once the leader exits. */
  readonly exited: Promise<number | null>;
  /** Sends `signal` to the whole group (ESRCH ignored). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM the group, SIGKILL after the grace; idempotent, returns the same promise. */
  stop(): Promise<void>;
}

export interface SpawnGroupOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** File receiving stdout and stderr (appended). */
  readonly logPath: string;
  /** Keep stdin open as a pipe (esbuild `--watch` exits when its stdin closes). */
  readonly keepStdin?: boolean;
  /** Where the group's closer is registered (removed again once the group has stopped). */
  readonly cleanup: CleanupRegistry;
  /** Grace before SIGKILL on stop (default 3 s). */
  readonly graceMs?: number;
}

/** Spawns `argv` detached (leader of a new group), output to a log file, with a registered closer. */
export function spawnGroup(argv: readonly string[], options: SpawnGroupOptions): SpawnedGroup {
  const log = openSync(options.logPath, 'a');
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.keepStdin ? 'pipe' : 'ignore', log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Unable to start ${argv.join(' ')} in ${options.cwd}`);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // ESRCH: the group is gone already
    }
  };
  let stopped: Promise<void> | undefined;
  const unregister = options.cleanup.add(`${argv.join(' ')} (pid ${pid})`, () => group.stop());
  options.cleanup.track({ pids: [pid] });
  const group: SpawnedGroup = {
    pid,
    exited,
    signal,
    stop() {
      stopped ??= (async () => {
        await terminateGroup(pid, { graceMs: options.graceMs ?? 3000 });
        // A member that left the leader behind (daemonised, re-parented) is still in the group.
        signal('SIGKILL');
        child.stdin?.destroy();
        unregister();
      })();
      return stopped;
    },
  };
  return group;
}
