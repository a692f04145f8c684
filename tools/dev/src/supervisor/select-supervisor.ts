import type { Checkout } from '../checkout/checkout.js';
import type { CommandRunner } from '../os/command-runner.js';
import { LaunchdSupervisor } from './launchd.js';
import { type ResolvedPlatform, resolvePlatform } from './platform.js';
import { ProcessSupervisor } from './process.js';
import { BACKEND_NAMES, type BackendName, type Supervisor } from './supervisor.js';
import { BackendUnavailableError, UnknownBackendError } from './supervisor-errors.js';
import { SystemdSupervisor } from './systemd.js';

export interface SelectSupervisorOptions {
  /** Explicit choice (`--backend`); else `NEXU_DEV_BACKEND`; else chosen by platform. */
  readonly backend?: string;
  readonly checkout: Pick<Checkout, 'unitsDir'>;
  readonly runner?: CommandRunner;
  readonly platform?: ResolvedPlatform;
  readonly env?: NodeJS.ProcessEnv;
  /** Told why auto-selection fell back to the process backend (e.g. no systemd user manager). */
  readonly onFallback?: (reason: string) => void;
  /** Told what the chosen backend's preflight noticed (e.g. launchd uses `user/<uid>` over SSH). */
  readonly onNotice?: (notice: string) => void;
}

/** The one factory: builds the named backend (no preflight). */
export function createSupervisor(
  backend: BackendName,
  options: Pick<SelectSupervisorOptions, 'checkout' | 'runner' | 'platform' | 'onNotice'>,
): Supervisor {
  const common = {
    unitsDir: options.checkout.unitsDir,
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
  };
  switch (backend) {
    case 'launchd':
      return new LaunchdSupervisor({ ...common, ...(options.onNotice ? { notify: options.onNotice } : {}) });
    case 'systemd':
      return new SystemdSupervisor(common);
    case 'process':
      return new ProcessSupervisor({
        unitsDir: common.unitsDir,
        ...(options.platform ? { registryDir: options.platform.keeperRegistryDir } : {}),
      });
  }
}

/** The backend auto-selection tries first on `platform` (launchd on macOS, systemd on Linux); null: process only. */
export function preferredBackend(platform: NodeJS.Platform): BackendName | null {
  return platform === 'darwin' ? 'launchd' : platform === 'linux' ? 'systemd' : null;
}

/** Checks a raw backend name; throws UnknownBackendError listing the valid ones. */
export function validateBackendName(raw: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(raw)) return raw as BackendName;
  throw new UnknownBackendError(raw);
}

/**
 * Picks the supervisor once: an explicit or `NEXU_DEV_BACKEND` choice must pass its preflight
 * (else BackendUnavailableError with the reason) and is run despite a caveat (told as a notice);
 * otherwise darwin -> launchd, Linux with a reachable user manager -> systemd, falling back to
 * process when the preferred one is unavailable or has a caveat, unless its refusal is final
 * (launchd under sudo).
 */
export async function selectSupervisor(options: SelectSupervisorOptions): Promise<Supervisor> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? resolvePlatform({ env });
  const build = (backend: BackendName) => createSupervisor(backend, { ...options, platform });
  const raw = options.backend || env.NEXU_DEV_BACKEND;
  if (raw) {
    const supervisor = build(validateBackendName(raw));
    const preflight = await supervisor.preflight();
    if (!preflight.ok) throw new BackendUnavailableError(supervisor.backend, preflight.reason);
    if (preflight.notice) options.onNotice?.(preflight.notice);
    if (preflight.caveat)
      options.onNotice?.(`warning: ${supervisor.backend} as asked, but ${preflight.caveat}`);
    return supervisor;
  }
  const preferred = preferredBackend(platform.platform);
  if (preferred) {
    const supervisor = build(preferred);
    const preflight = await supervisor.preflight();
    if (preflight.ok && !preflight.caveat) {
      if (preflight.notice) options.onNotice?.(preflight.notice);
      return supervisor;
    }
    if (!preflight.ok && preflight.final) throw new BackendUnavailableError(preferred, preflight.reason);
    options.onFallback?.(`Using the process backend: ${preflight.ok ? preflight.caveat : preflight.reason}`);
  }
  return build('process');
}
