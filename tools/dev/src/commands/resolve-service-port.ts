import type { Checkout } from '../checkout/checkout.js';
import type { Reporter } from '../format/reporter.js';
import { findPortOwner } from '../os/port-owner.js';
import { allocatePort } from '../ports/allocate-ports.js';
import type { Ledger } from '../ports/ledger.js';
import { stopOwnedProcess } from '../ports/stop-owned-process.js';
import { verifyOwnership } from '../ports/verify-ownership.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';
import type { ServiceStatus } from '../supervisor/supervisor.js';

/** What port resolution needs of a running `pnpm start`; `ports` is updated in place. */
export interface PortContext {
  readonly checkout: Checkout;
  readonly reporter: Reporter;
  readonly ledger: Ledger | null;
  readonly ports: Record<ServiceName, number>;
  /** Main pids the supervisor reports for this checkout's units (ours by definition). */
  readonly supervisorPids: Map<ServiceName, number>;
}

/**
 * Makes sure the service's port can be bound: our own leftover is stopped, anything foreign is
 * never touched and the service moves to another port (said out loud).
 */
export async function resolveServicePort(
  spec: ServiceSpec,
  status: ServiceStatus,
  context: PortContext,
): Promise<number> {
  const { checkout, reporter } = context;
  const port = context.ports[spec.name];
  const owner = await findPortOwner(port);
  if (owner.status === 'free') return port;
  if (owner.status === 'listening') {
    // The supervisor's own process of this unit: install/restart replaces it in place.
    if (owner.pid === status.pid) return port;
    const verdict = await verifyOwnership(owner.pid, {
      checkout,
      ledger: context.ledger,
      supervisorPids: [...context.supervisorPids.values()],
    });
    const ownedByAnotherUnit = [...context.supervisorPids].some(
      ([name, pid]) => name !== spec.name && pid === owner.pid,
    );
    if (verdict.ours && !ownedByAnotherUnit) {
      const stopped = await stopOwnedProcess(verdict.process, { port });
      if (stopped.stopped) {
        reporter.info(
          `${spec.name}: stopped a stale process of this checkout on port ${port} (pid ${owner.pid})`,
        );
        return port;
      }
      reporter.warn(`${spec.name}: could not stop stale pid ${owner.pid} on port ${port}: ${stopped.reason}`);
    }
    return movePort(spec, context, `port ${port} is held by pid ${owner.pid} (${owner.command}), not ours`);
  }
  return movePort(spec, context, `port ${port} is in use by a process this user cannot identify`);
}

/** Gives a service another free port (never one of its peers'), saying why. */
async function movePort(spec: ServiceSpec, context: PortContext, why: string): Promise<number> {
  const { port } = await allocatePort({
    checkout: context.checkout,
    ledger: null,
    service: spec.name,
    taken: Object.values(context.ports),
  });
  context.reporter.warn(`${spec.name}: ${why}: using ${port} instead`);
  context.ports[spec.name] = port;
  return port;
}
