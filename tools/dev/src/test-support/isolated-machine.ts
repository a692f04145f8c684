import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRunSystemd, startPrivateUserManager } from './user-manager.js';

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

/** Options of `createIsolatedMachine`. */
export interface IsolatedMachineOptions {
  /** Variables its user manager starts with (and hands every unit, unless a unit clears them). */
  readonly managerEnv?: Readonly<Record<string, string>>;
}

/** Creates an isolated machine (see `IsolatedMachine`); call `close()` after the tests. */
export async function createIsolatedMachine(options: IsolatedMachineOptions = {}): Promise<IsolatedMachine> {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'nexu-machine-')));
  const runtimeDir = join(base, 'runtime');
  const env = {
    XDG_RUNTIME_DIR: runtimeDir,
    NEXU_DEV_KEEPER_REGISTRY: join(base, 'keepers'),
    FAKE_LAUNCHCTL_STATE: join(base, 'launchd'),
  };
  mkdirSync(env.FAKE_LAUNCHCTL_STATE);
  const manager = canRunSystemd()
    ? await startPrivateUserManager({
        runtimeDir,
        logDir: base,
        configBase: base,
        ...(options.managerEnv ? { env: options.managerEnv } : {}),
      })
    : null;
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
        await manager?.stop();
        rmSync(base, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
