import { BACKEND_NAMES, type BackendName } from '../supervisor/supervisor.js';
import { type CommandSpec, usageError } from './parse-args.js';

/**
 * Validates `--backend` (else NEXU_DEV_BACKEND) before anything runs: an unknown name is a usage
 * error (exit 2) listing the valid ones. `undefined` means auto-selection.
 */
export function resolveBackendFlag(
  spec: CommandSpec,
  raw: string | undefined,
  options: { fromEnv?: boolean } = {},
): BackendName | undefined {
  const fromEnv = options.fromEnv ?? true;
  const value = raw ?? (fromEnv ? process.env.NEXU_DEV_BACKEND || undefined : undefined);
  if (value === undefined) return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  const source = raw === undefined ? 'NEXU_DEV_BACKEND' : '--backend';
  return usageError(spec, `${source} "${value}" is not a backend: use one of ${BACKEND_NAMES.join(', ')}`);
}
