import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { runCommand } from '../os/command-runner.js';
import { USER_MANAGER_PROBE, userManagerAnswered } from '../supervisor/parse-systemctl-show.js';

/** A private systemd user manager this process started. */
export interface PrivateUserManager {
  readonly runtimeDir: string;
  /** `systemctl --user exit` (its units are stopped), SIGKILL when it lingers; resolves once it is gone. */
  stop(): Promise<void>;
}

export interface PrivateUserManagerOptions {
  /** Its `XDG_RUNTIME_DIR` (the bus and the unit folder live there); created when missing. */
  readonly runtimeDir: string;
  /** Folder of its logs (`systemd-<attempt>.log`). */
  readonly logDir: string;
  /** Its own configuration and data folders, so no unit of the user's `~/.config/systemd/user` starts in it. */
  readonly configBase?: string;
}

/** Whether systemd is installed here (on Linux): a private user manager can be started. */
export function canRunSystemd(): boolean {
  return (
    process.platform === 'linux' && (existsSync('/usr/bin/systemd') || existsSync('/lib/systemd/systemd'))
  );
}

/** Whether a user manager answers on `runtimeDir`. */
export async function userManagerAnswers(runtimeDir: string): Promise<boolean> {
  const result = await runCommand(['systemctl', '--user', ...USER_MANAGER_PROBE], {
    env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
    timeoutMs: 5_000,
  });
  return userManagerAnswered(result.stdout);
}

/**
 * The environment a login's user manager starts with (PAM's HOME, USER, LOGNAME, SHELL, the
 * locale, XDG_RUNTIME_DIR), not the environment of whoever starts it here: every unit inherits the
 * manager's environment, and a shell's NODE_OPTIONS or NODE_EXTRA_CA_CERTS (30 ms more per node
 * start on this machine) would reach every service (docs/platform.md, "systemd --user").
 */
function loginEnvironment(runtimeDir: string): Record<string, string> {
  const keep = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG'] as const;
  return {
    ...Object.fromEntries(keep.flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : []))),
    XDG_RUNTIME_DIR: runtimeDir,
  };
}

/**
 * Starts a private `systemd --user` where PID 1 is not systemd (containers, CI, tests of their
 * own). systemd refuses to start unless `/run/systemd/system/` exists (docs/platform.md,
 * "systemd --user"): created for the start when missing and removed again once the manager
 * answers. Three attempts; throws with the log folder when none comes up.
 */
export async function startPrivateUserManager(
  options: PrivateUserManagerOptions,
): Promise<PrivateUserManager> {
  const { runtimeDir, logDir, configBase } = options;
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const env = {
    ...loginEnvironment(runtimeDir),
    ...(configBase
      ? { XDG_CONFIG_HOME: join(configBase, 'config'), XDG_DATA_HOME: join(configBase, 'data') }
      : {}),
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
    const log = openSync(join(logDir, `systemd-${attempt}.log`), 'a');
    const child = spawn('systemd', ['--user'], { env, stdio: ['ignore', log, log], detached: true });
    child.unref();
    const up = await waitFor(
      async () =>
        child.exitCode !== null ? 'exited' : (await userManagerAnswers(runtimeDir)) ? 'up' : undefined,
      { timeoutMs: 15_000, maxIntervalMs: 200 },
    );
    if (created) {
      try {
        rmdirSync(marker);
      } catch {
        // another manager starting right now still needs it, or it is gone already
      }
    }
    if (up.ok && up.value === 'up') return { runtimeDir, stop: once(() => stopManager(child, runtimeDir)) };
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }
  throw new Error(`a private systemd user manager did not come up; see ${logDir}/systemd-*.log`);
}

async function stopManager(child: ChildProcess, runtimeDir: string): Promise<void> {
  const exited = new Promise<void>((resolve) =>
    child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
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
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }
}

function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= run();
    return running;
  };
}
