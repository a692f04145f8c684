import type { Checkout } from '../checkout/checkout.js';
import type { Ledger } from '../ports/ledger.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { SERVICES, type ServiceName } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import { createSupervisor } from '../supervisor/select-supervisor.js';
import type { Supervisor, UnitSpec } from '../supervisor/supervisor.js';

/** The units a watch session reloads and the supervisor that runs them. */
export interface ReloadTarget {
  readonly supervisor: Supervisor;
  readonly units: Readonly<Partial<Record<ServiceName, UnitSpec>>>;
}

/** What the session reloads now; `follow` moves it to the units another `pnpm start` put in place. */
export interface FollowedTarget {
  current(): ReloadTarget;
  /**
   * Follows a ledger another `pnpm start` wrote: when it runs the services on another backend or
   * other ports, the session reloads those from now on and `announce` gets one line saying so.
   */
  follow(ledger: Ledger): void;
}

/** Starts from the units `pnpm start` reported; see `FollowedTarget`. */
export function createFollowedTarget(
  checkout: Checkout,
  report: ReloadTarget,
  announce: (line: string) => void,
): FollowedTarget {
  let target: ReloadTarget = { supervisor: report.supervisor, units: report.units };
  return {
    current: () => target,
    follow(ledger) {
      const ports = expectedPorts(checkout, ledger);
      const names = Object.keys(target.units) as ServiceName[];
      const moved = names.filter((name) => ledger.services[name] && target.units[name]?.port !== ports[name]);
      const backendChanged = ledger.backend !== target.supervisor.backend;
      if (!backendChanged && moved.length === 0) return;
      const units: Partial<Record<ServiceName, UnitSpec>> = { ...target.units };
      for (const spec of SERVICES) {
        if (units[spec.name] && ledger.services[spec.name])
          units[spec.name] = resolveUnitSpec(spec, checkout, ports);
      }
      target = {
        supervisor: backendChanged ? createSupervisor(ledger.backend, { checkout }) : target.supervisor,
        units,
      };
      const where = names.map((name) => `${name} ${units[name]?.port}`).join(', ');
      const what = backendChanged ? `to the ${ledger.backend} backend` : 'to other ports';
      announce(`Another pnpm start moved the services ${what} (${where}): reloads follow them.`);
    },
  };
}
