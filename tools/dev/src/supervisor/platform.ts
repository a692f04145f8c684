import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Overrides for the platform facts (tests, unusual machines). */
export interface PlatformOptions {
  platform?: NodeJS.Platform;
  uid?: number;
  env?: NodeJS.ProcessEnv;
  /** launchctl executable; default `NEXU_DEV_LAUNCHCTL` or `/bin/launchctl`. */
  launchctlPath?: string;
}

/** Every platform fact the backends use, resolved once: paths, domains, the systemctl environment. */
export interface ResolvedPlatform {
  readonly platform: NodeJS.Platform;
  readonly uid: number;
  readonly launchctlPath: string;
  /** launchd domain of the logged-in GUI session. */
  readonly guiDomain: string;
  /** launchd per-user domain, the fallback when `gui/<uid>` answers 125 (SSH, no console). */
  readonly userDomain: string;
  /** `$XDG_RUNTIME_DIR`, else `/run/user/<uid>` when it exists; null when neither. */
  readonly runtimeDir: string | null;
  /** `<runtimeDir>/systemd/user`: runtime units, gone at reboot like a dev agent. */
  readonly systemdUserDir: string | null;
  /** Environment for `systemctl --user` with XDG_RUNTIME_DIR set even from shells that lack it. */
  readonly systemctlEnv: NodeJS.ProcessEnv;
  /**
   * Where every process keeper of this user registers, whichever checkout started it (a deleted
   * checkout takes its own `.tmp/dev` along): `NEXU_DEV_KEEPER_REGISTRY`, else
   * `$XDG_STATE_HOME/nexu-dev/keepers` (`~/.local/state/...`). Never the packaged app's `~/.nexu`.
   */
  readonly keeperRegistryDir: string;
}

export const DEFAULT_LAUNCHCTL = '/bin/launchctl';

/** Resolves the platform facts from the process (or the given overrides). */
export function resolvePlatform(options: PlatformOptions = {}): ResolvedPlatform {
  const env = options.env ?? process.env;
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const fallbackRuntimeDir = `/run/user/${uid}`;
  const runtimeDir = env.XDG_RUNTIME_DIR || (existsSync(fallbackRuntimeDir) ? fallbackRuntimeDir : null);
  return {
    platform: options.platform ?? process.platform,
    uid,
    launchctlPath: options.launchctlPath ?? env.NEXU_DEV_LAUNCHCTL ?? DEFAULT_LAUNCHCTL,
    guiDomain: `gui/${uid}`,
    userDomain: `user/${uid}`,
    runtimeDir,
    systemdUserDir: runtimeDir ? join(runtimeDir, 'systemd', 'user') : null,
    systemctlEnv: runtimeDir ? { ...env, XDG_RUNTIME_DIR: runtimeDir } : { ...env },
    keeperRegistryDir:
      env.NEXU_DEV_KEEPER_REGISTRY ||
      join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'nexu-dev', 'keepers'),
  };
}
