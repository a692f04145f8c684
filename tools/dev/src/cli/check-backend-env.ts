import { BACKEND_NAMES, type BackendName } from '../supervisor/supervisor.js';
import { type CommandSpec, usageError } from './parse-args.js';

/**
 * Validates NEXU_DEV_BACKEND for every command, whether it uses it or not: an unknown name is the
 * same usage error (exit 2) on `start`, `stop`, `status`, `logs` and `reset-state`, instead of
 * being ignored by some of them. Returns the name, or undefined when unset.
 */
export function checkBackendEnv(
  spec: CommandSpec,
  env: NodeJS.ProcessEnv = process.env,
): BackendName | undefined {
  const value = env.NEXU_DEV_BACKEND || undefined;
  if (value === undefined) return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  return usageError(
    spec,
    `NEXU_DEV_BACKEND "${value}" is not a backend: use one of ${BACKEND_NAMES.join(', ')}`,
  );
}
