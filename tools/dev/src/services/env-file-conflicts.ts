import type { Checkout } from '../checkout/checkout.js';
import { readServiceEnvFiles } from './env-files.js';
import type { ServicePorts, ServiceSpec } from './manifest.js';
import { resolveUnitSpec, type UnitSpecOptions } from './unit-spec.js';

/**
 * Reads every service's `.env` files (throwing an EnvFileError at the first bad line, before
 * anything starts) and returns one line per variable a file sets that the unit renders itself
 * (`PORT`, `NEXU_HOME`, a peer's URL, a pass-through variable of the shell): the unit's value wins.
 * Names only, never values.
 */
export function checkEnvFiles(
  services: readonly ServiceSpec[],
  checkout: Checkout,
  ports: ServicePorts,
  options: Pick<UnitSpecOptions, 'nodePath' | 'extraEnv'> = {},
): string[] {
  // A root file concerns every service: one line each, naming the services.
  const conflicts = new Map<string, { file: string; name: string; services: string[] }>();
  for (const spec of services) {
    const { sources } = readServiceEnvFiles(spec, checkout);
    const rendered = resolveUnitSpec(spec, checkout, ports, { ...options, envFiles: {} }).env;
    for (const [name, file] of Object.entries(sources)) {
      if (!(name in rendered)) continue;
      const key = `${file}\0${name}`;
      const entry = conflicts.get(key) ?? { file, name, services: [] };
      entry.services.push(spec.name);
      conflicts.set(key, entry);
    }
  }
  return [...conflicts.values()].map(
    ({ file, name, services: names }) =>
      `${file} sets ${name}, which nexu dev sets for ${names.join(', ')} itself: ignored (the unit's value wins)`,
  );
}
