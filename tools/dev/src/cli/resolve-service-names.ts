import { SERVICE_NAMES, type ServiceName } from '../services/manifest.js';

export type ResolveServiceNamesResult =
  | { readonly ok: true; readonly services: readonly ServiceName[] }
  | { readonly ok: false; readonly message: string };

/**
 * Checks `--service` values against the manifest. No names means every service; the result keeps
 * manifest order and drops duplicates. Unknown names are an error listing the valid ones.
 */
export function resolveServiceNames(rawNames: readonly string[]): ResolveServiceNamesResult {
  const unknown = rawNames.filter((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => `"${name}"`).join(', ');
    return {
      ok: false,
      message: `Unknown service ${list}: valid services are ${SERVICE_NAMES.join(', ')}`,
    };
  }
  if (rawNames.length === 0) return { ok: true, services: SERVICE_NAMES };
  return { ok: true, services: SERVICE_NAMES.filter((name) => rawNames.includes(name)) };
}
