import { existsSync } from 'node:fs';
import type { Checkout } from '../checkout/checkout.js';
import { serviceLabel } from '../checkout/service-identity.js';
import { probeHealth } from '../health/probe-health.js';
import type { Ledger } from '../ports/ledger.js';
import { expectedPort, resolvePorts } from '../ports/resolve-port.js';
import { readServiceEnvFiles } from '../services/env-files.js';
import { SERVICES, type ServiceName, type ServicePorts, type ServiceSpec } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import type { ServiceStatus, Supervisor } from '../supervisor/supervisor.js';
import type { ServiceFacts, StartFacts } from './plan-start.js';

export interface GatherStartFactsOptions {
  readonly checkout: Checkout;
  readonly supervisor: Supervisor;
  /** This checkout's validated ledger for `supervisor`'s backend, or null. */
  readonly ledger: Ledger | null;
  /** In dependency order. */
  readonly services: readonly ServiceSpec[];
  /**
   * Pids a start stops before it launches anything (the services of a moved checkout's previous
   * location): the ports they hold count as free.
   */
  readonly freedPids?: readonly number[];
}

/**
 * Finds out, without changing anything, what the start decision depends on: each unit's state,
 * the port each service will use (verifying who holds the expected one), the units rendered on
 * those ports, how the installed units differ from them, and what `/health` answers.
 */
export async function gatherStartFacts(options: GatherStartFactsOptions): Promise<StartFacts> {
  const { checkout, supervisor, ledger, services } = options;
  const statuses = new Map<ServiceName, ServiceStatus>(
    await Promise.all(
      services.map(
        async (spec) =>
          [
            spec.name,
            await supervisor.status({
              label: serviceLabel(spec.name, checkout.id),
              service: spec.name,
              checkoutId: checkout.id,
            }),
          ] as const,
      ),
    ),
  );
  const pidOf = (name: ServiceName) => statuses.get(name)?.pid ?? null;

  const resolved = await resolvePorts({
    checkout,
    ledger,
    services,
    pidOf,
    ...(options.freedPids ? { freedPids: options.freedPids } : {}),
  });
  // A peer that is not part of this run keeps its expected port.
  const ports = Object.fromEntries(
    SERVICES.map((spec) => [
      spec.name,
      resolved.get(spec.name)?.port ?? expectedPort(spec, checkout, ledger),
    ]),
  ) as unknown as ServicePorts;

  const facts = await Promise.all(
    services.map(async (spec): Promise<ServiceFacts> => {
      const status = statuses.get(spec.name)!;
      const port = resolved.get(spec.name)!;
      const unit = resolveUnitSpec(spec, checkout, ports);
      const [drift, health] = await Promise.all([
        supervisor.drift(unit),
        status.pid !== null ? probeHealth(port.expected, spec.healthPath) : Promise.resolve(null),
      ]);
      const stateGone = status.pid !== null && !existsSync(unit.logPath);
      return {
        spec,
        unit,
        status,
        drift: nameEnvFiles(drift, spec, checkout),
        health,
        port,
        ...(stateGone ? { stateGone } : {}),
      };
    }),
  );
  return { checkout, backend: supervisor.backend, ports, services: facts };
}

/** A drifted variable set by a `.env` file names the file: `env.API_KEY (apps/controller/.env.local)`. */
function nameEnvFiles(
  drift: readonly string[] | null,
  spec: ServiceSpec,
  checkout: Checkout,
): readonly string[] | null {
  if (!drift?.some((field) => field.startsWith('env.'))) return drift;
  const { sources } = readServiceEnvFiles(spec, checkout);
  return drift.map((field) => {
    const file = field.startsWith('env.') ? sources[field.slice(4)] : undefined;
    return file ? `${field} (${file})` : field;
  });
}
