import { BACKEND_NAMES, type BackendName } from '../supervisor/supervisor.js';
import { checkBackendEnv } from './check-backend-env.js';
import { type CommandSpec, usageError } from './parse-args.js';

/**
 * Validates `--backend` (else NEXU_DEV_BACKEND) before anything runs: an unknown name is a usage
 * error (exit 2) listing the valid ones. `undefined` means auto-selection. NEXU_DEV_BACKEND is
 * checked even with `fromEnv: false` (a command that does not follow it still refuses a bad one).
 */
export function resolveBackendFlag(
  spec: CommandSpec,
  raw: string | undefined,
  options: { fromEnv?: boolean } = {},
): BackendName | undefined {
  const fromEnv = checkBackendEnv(spec);
  if (raw === undefined) return (options.fromEnv ?? true) ? fromEnv : undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(raw)) return raw as BackendName;
  return usageError(spec, `--backend "${raw}" is not a backend: use one of ${BACKEND_NAMES.join(', ')}`);
}
