import { canRunSystemd, startPrivateUserManager, userManagerAnswers } from '@nexu/dev/test-support';

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
