import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chooseLaunchdDomain, type LaunchdDomainChoice, type LaunchdSessionFacts } from './launchd-domain.js';

/** Overrides for the platform facts (tests, unusual machines). */
export interface PlatformOptions {
  platform?: NodeJS.Platform;
  uid?: number;
  env?: NodeJS.ProcessEnv;
  /** launchctl executable; default `NEXU_DEV_LAUNCHCTL` or `/bin/launchctl`. */
  launchctlPath?: string;
  /** The user's home folder (default `os.homedir()`). */
  home?: string;
  /** Who runs the command and where (default: read from the process on macOS; elsewhere the user at the console). */
  session?: LaunchdSessionFacts;
  /** `mount` executable (default `/sbin/mount`). */
  mountPath?: string;
}

/** Every platform fact the backends use, resolved once: paths, domains, the systemctl environment. */
export interface ResolvedPlatform {
  readonly platform: NodeJS.Platform;
  readonly uid: number;
  readonly launchctlPath: string;
  /** The user's home folder (protected folders are found under it). */
  readonly home: string;
  /** launchd domain of the logged-in GUI session. */
  readonly guiDomain: string;
  /** launchd per-user domain, for SSH and sudo sessions (no GUI needed). */
  readonly userDomain: string;
  /** The domain chosen for new jobs from who runs the command and where (see chooseLaunchdDomain). */
  readonly launchdDomain: LaunchdDomainChoice;
  /** Who runs the command and where, as that choice read it. */
  readonly launchdSession: LaunchdSessionFacts;
  /** `plutil`, which lints a plist on macOS. */
  readonly plutilPath: string;
  /** `mount`, whose flags tell a removable or network volume from an internal one (macOS). */
  readonly mountPath: string;
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

/** Owner of /dev/console: the user at the screen (root when nobody is logged in); null if unknown. */
function consoleOwner(): number | null {
  try {
    return statSync('/dev/console').uid;
  } catch {
    return null;
  }
}

/** Who runs this command and where, as Homebrew reads it (docs/platform.md, "launchctl"). */
function readSession(env: NodeJS.ProcessEnv, uid: number, platform: NodeJS.Platform): LaunchdSessionFacts {
  const euid = process.geteuid?.() ?? uid;
  // Off macOS only the fake launchctl plays launchd, a normal user's at the console: it decides the
  // session itself (these machines run everything as root, which says nothing about a Mac user).
  if (platform !== 'darwin') {
    return { uid, euid: uid, consoleUid: uid, ssh: false, sudoUser: null, superuser: false };
  }
  return {
    uid,
    euid,
    consoleUid: consoleOwner(),
    ssh: Boolean(env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT),
    sudoUser: env.SUDO_USER || null,
    superuser: euid === 0 || uid !== euid,
  };
}

/** Resolves the platform facts from the process (or the given overrides). */
export function resolvePlatform(options: PlatformOptions = {}): ResolvedPlatform {
  const env = options.env ?? process.env;
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const fallbackRuntimeDir = `/run/user/${uid}`;
  const runtimeDir = env.XDG_RUNTIME_DIR || (existsSync(fallbackRuntimeDir) ? fallbackRuntimeDir : null);
  const platform = options.platform ?? process.platform;
  const session = options.session ?? readSession(env, uid, process.platform);
  const launchdDomain = chooseLaunchdDomain(session);
  return {
    platform,
    uid,
    launchctlPath: options.launchctlPath ?? env.NEXU_DEV_LAUNCHCTL ?? DEFAULT_LAUNCHCTL,
    home: options.home ?? homedir(),
    guiDomain: `gui/${uid}`,
    userDomain: launchdDomain.kind === 'user' ? launchdDomain.domain : `user/${uid}`,
    launchdDomain,
    launchdSession: session,
    plutilPath: '/usr/bin/plutil',
    mountPath: options.mountPath ?? '/sbin/mount',
    runtimeDir,
    systemdUserDir: runtimeDir ? join(runtimeDir, 'systemd', 'user') : null,
    systemctlEnv: runtimeDir ? { ...env, XDG_RUNTIME_DIR: runtimeDir } : { ...env },
    keeperRegistryDir:
      env.NEXU_DEV_KEEPER_REGISTRY ||
      join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'nexu-dev', 'keepers'),
  };
}
