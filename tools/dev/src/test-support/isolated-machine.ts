import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, realpathSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { runCommand } from '../os/command-runner.js';

/**
 * A machine of a test's own: a private systemd user manager (its own XDG_RUNTIME_DIR), a private
 * process-keeper registry and a private fake launchd domain. Machine-wide commands (`pnpm status
 * --all`, `pnpm stop --orphans`, `pnpm stop --all`) run in it can only ever see, and so only ever
 * stop, what the test itself started there: the shared user manager, the user's keeper registry
 * and launchd domain (other test files, other worktrees on this machine) are out of their reach by
 * construction, not by filtering.
 */
export interface IsolatedMachine {
  /** The environment that points every backend at this machine (spawned commands take it). */
  readonly env: Readonly<Record<string, string>>;
  /** Whether its systemd user manager runs (false: systemd is not installed here). */
  readonly systemd: boolean;
  /** Points this process at the machine too (in-process starts and stops), until `close()`. */
  enter(): void;
  /** Stops the private manager (and whatever it still runs), restores the environment, removes its folders. */
  close(): Promise<void>;
}

const ENV_KEYS = ['XDG_RUNTIME_DIR', 'NEXU_DEV_KEEPER_REGISTRY', 'FAKE_LAUNCHCTL_STATE'] as const;

async function managerAnswers(env: NodeJS.ProcessEnv): Promise<boolean> {
  const result = await runCommand(['systemctl', '--user', 'is-system-running'], { env, timeoutMs: 5_000 });
  // Any state word means the manager answered ("offline" only says PID 1 is not systemd).
  return result.stdout.trim() !== '';
}

/**
 * Starts a private `systemd --user`. systemd refuses to start unless `/run/systemd/system/` exists
 * (docs/platform.md, "systemd --user"): created for the start when missing and removed again once
 * the manager answers. Its configuration folders are private too, so no unit of the user's own
 * `~/.config/systemd/user` is started in it.
 */
async function startManager(base: string, runtimeDir: string): Promise<ChildProcess | null> {
  if (process.platform !== 'linux') return null;
  if (!existsSync('/usr/bin/systemd') && !existsSync('/lib/systemd/systemd')) return null;
  const env = {
    ...process.env,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CONFIG_HOME: join(base, 'config'),
    XDG_DATA_HOME: join(base, 'data'),
  };
  for (let attempt = 1; attempt <= 3; attempt++) {
    const marker = '/run/systemd/system';
    let created = false;
    if (!existsSync(marker)) {
      try {
        mkdirSync(marker, { recursive: true });
        created = true;
      } catch {
        // another process made it meanwhile
      }
    }
    const log = openSync(join(base, `systemd-${attempt}.log`), 'a');
    const child = spawn('systemd', ['--user'], { env, stdio: ['ignore', log, log], detached: true });
    child.unref();
    const up = await waitFor(
      async () => (child.exitCode !== null ? 'exited' : (await managerAnswers(env)) ? 'up' : undefined),
      { timeoutMs: 15_000, maxIntervalMs: 200 },
    );
    if (created) {
      try {
        rmdirSync(marker);
      } catch {
        // another manager starting right now still needs it, or it is gone already
      }
    }
    if (up.ok && up.value === 'up') return child;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }
  throw new Error(`a private systemd user manager did not come up; see ${base}/systemd-*.log`);
}

/** Creates an isolated machine (see `IsolatedMachine`); call `close()` after the tests. */
export async function createIsolatedMachine(): Promise<IsolatedMachine> {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'nexu-machine-')));
  const runtimeDir = join(base, 'runtime');
  mkdirSync(runtimeDir, { mode: 0o700 });
  const env = {
    XDG_RUNTIME_DIR: runtimeDir,
    NEXU_DEV_KEEPER_REGISTRY: join(base, 'keepers'),
    FAKE_LAUNCHCTL_STATE: join(base, 'launchd'),
  };
  mkdirSync(env.FAKE_LAUNCHCTL_STATE);
  const manager = await startManager(base, runtimeDir);
  let saved: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>> | undefined;
  let closing: Promise<void> | undefined;
  return {
    env,
    systemd: manager !== null,
    enter() {
      saved ??= Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
      Object.assign(process.env, env);
    },
    close() {
      closing ??= (async () => {
        if (saved) {
          for (const key of ENV_KEYS) {
            if (saved[key] === undefined) delete process.env[key];
            else process.env[key] = saved[key];
          }
        }
        if (manager) {
          const exited = new Promise<void>((resolve) =>
            manager.exitCode !== null ? resolve() : manager.once('exit', () => resolve()),
          );
          await runCommand(['systemctl', '--user', 'exit'], {
            env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
            timeoutMs: 5_000,
          });
          const gone = await Promise.race([
            exited.then(() => true),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
          ]);
          if (!gone) {
            try {
              process.kill(-manager.pid!, 'SIGKILL');
            } catch {}
          }
        }
        rmSync(base, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
