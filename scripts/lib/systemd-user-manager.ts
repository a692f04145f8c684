import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '@nexu/dev';

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

async function managerAnswers(runtimeDir: string): Promise<boolean> {
  const env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
  const result = await runCommand(['systemctl', '--user', 'is-system-running'], { env, timeoutMs: 5_000 });
  // Exit code is non-zero for "degraded"/"starting", but any state word means the bus answered.
  return /^(running|degraded|starting|initializing|maintenance|stopping)/m.test(result.stdout);
}

/**
 * Makes sure a systemd user manager answers, starting a private one where PID 1 is not systemd
 * (containers, CI). systemd refuses to run unless `/run/systemd/system/` exists; we create it for
 * the start and remove it again once the manager is up (see docs/platform.md, "systemd --user").
 */
export async function ensureUserManager(log: (line: string) => void = () => {}): Promise<UserManager> {
  const runtimeDir = userRuntimeDir();
  const noop: UserManager = { runtimeDir, started: false, stop: async () => {} };
  if (process.platform !== 'linux') return noop;
  if (await managerAnswers(runtimeDir)) return noop;
  if (!existsSync('/usr/bin/systemd') && !existsSync('/lib/systemd/systemd')) {
    throw new Error('systemd is not installed: no user manager can be started (apt-get install systemd).');
  }

  const markerDir = '/run/systemd/system';
  const createdMarker = !existsSync(markerDir);
  if (createdMarker) mkdirSync(markerDir, { recursive: true });
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });

  const logPath = join(runtimeDir, 'nexu-user-manager.log');
  const out = openSync(logPath, 'a');
  log(`starting a private systemd user manager (XDG_RUNTIME_DIR=${runtimeDir})`);
  const child: ChildProcess = spawn('systemd', ['--user'], {
    env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
    stdio: ['ignore', out, out],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 15_000;
  while (!(await managerAnswers(runtimeDir))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`systemd --user did not come up within 15 s; see ${logPath}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (createdMarker) rmdirSync(markerDir);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await runCommand(['systemctl', '--user', 'exit'], {
        env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
        timeoutMs: 5_000,
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  return { runtimeDir, started: true, stop };
}
