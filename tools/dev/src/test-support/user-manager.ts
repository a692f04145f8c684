import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmdirSync } from 'node:fs';
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
  /** Variables added to the environment it starts with (and so hands every unit). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Names a file holding the environment the tests' private user managers start from instead of a
 * login's small set: `env -0` output (NUL-separated) or `env` output. E.g. a full interactive login
 * shell's: `bash -lic 'env -0' > /tmp/login.env; NEXU_DEV_TEST_MANAGER_ENV=/tmp/login.env pnpm test`.
 */
export const MANAGER_ENV_VARIABLE = 'NEXU_DEV_TEST_MANAGER_ENV';

/**
 * An environment dump as `env -0` (NUL-separated) or `env` (one `NAME=value` per line; a line that
 * does not start a variable continues the value before it) prints it.
 */
export function parseEnvironmentDump(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const entries = text.includes('\0') ? text.split('\0') : text.replace(/\n$/, '').split('\n');
  let last: string | undefined;
  for (const entry of entries) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(entry);
    if (match) {
      last = match[1]!;
      env[last] = match[2]!;
    } else if (last !== undefined && !text.includes('\0')) {
      env[last] += `\n${entry}`;
    }
  }
  return env;
}

/** The environment named by `NEXU_DEV_TEST_MANAGER_ENV`, or null when it is not set. */
function environmentFromDump(): Record<string, string> | null {
  const file = process.env[MANAGER_ENV_VARIABLE];
  if (!file) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `${MANAGER_ENV_VARIABLE}=${file} cannot be read (${(error as Error).message}): write it with \`bash -lic 'env -0' > ${file}\`, or unset it`,
    );
  }
  const env = parseEnvironmentDump(text);
  if (!env.PATH)
    throw new Error(`${MANAGER_ENV_VARIABLE}=${file} holds no PATH: is it the output of \`env -0\`?`);
  return env;
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
 * start on this machine) would reach every service (docs/platform.md, "systemd --user"). With
 * `NEXU_DEV_TEST_MANAGER_ENV`, the environment that file holds instead (the suites must pass under
 * a manager started from a full shell's environment too: units clear what the manager holds).
 */
function loginEnvironment(runtimeDir: string): Record<string, string> {
  const keep = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG'] as const;
  return {
    ...(environmentFromDump() ??
      Object.fromEntries(keep.flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : [])))),
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
    ...options.env,
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

/** A systemd user manager that answers `systemctl --user`; `stop()` ends it if we started it. */
export interface UserManager {
  readonly runtimeDir: string;
  /** True when this call started the manager (and `stop()` will end it). */
  readonly started: boolean;
  stop(): Promise<void>;
}

const uid = () => process.getuid?.() ?? 0;

/** `XDG_RUNTIME_DIR` as systemctl needs it: the environment's, else `/run/user/<uid>`. */
export function userRuntimeDir(): string {
  return process.env.XDG_RUNTIME_DIR || `/run/user/${uid()}`;
}

/**
 * Makes sure a systemd user manager answers, starting a private one (with a login's environment,
 * see `startPrivateUserManager`) where PID 1 is not systemd: containers, CI.
 */
export async function ensureUserManager(log: (line: string) => void = () => {}): Promise<UserManager> {
  const runtimeDir = userRuntimeDir();
  const noop: UserManager = { runtimeDir, started: false, stop: async () => {} };
  if (process.platform !== 'linux') return noop;
  if (await userManagerAnswers(runtimeDir)) return noop;
  if (!canRunSystemd()) {
    throw new Error('systemd is not installed: no user manager can be started (apt-get install systemd).');
  }
  log(`starting a private systemd user manager (XDG_RUNTIME_DIR=${runtimeDir})`);
  const manager = await startPrivateUserManager({ runtimeDir, logDir: runtimeDir });
  return { runtimeDir, started: true, stop: manager.stop };
}
