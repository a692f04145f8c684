import getPort from 'get-port';
import type { Checkout } from '../checkout/checkout.js';
import { isPortFree } from '../os/port-free.js';
import { findPortOwner } from '../os/port-owner.js';
import { findService, SERVICES, type ServiceName, type ServicePorts } from '../services/manifest.js';
import type { Ledger } from './ledger-schema.js';

export interface AllocatePortsOptions {
  readonly checkout: Checkout;
  /** This checkout's ledger (already validated), or null. */
  readonly ledger: Ledger | null;
  /** Whether a busy port is held by a verified process of this checkout (default: never). */
  readonly isOurs?: (port: number) => Promise<boolean>;
}

export interface AllocatePortOptions extends AllocatePortsOptions {
  readonly service: ServiceName;
  /** Ports already given to other services of this checkout in this allocation. */
  readonly taken?: Iterable<number>;
}

export interface AllocatedPort {
  readonly port: number;
  /** Why the service did not get its usual port ("controller: port 18790 is held by pid 123 ..."). */
  readonly note?: string;
}

const MAX_PORT = 65_535;

/**
 * Stable per-checkout shift of the preferred ports (0..9990 in steps of 10) so checkouts do not
 * collide: 1000 slots make two checkouts share defaults about 0.1% of the time (then allocation
 * moves one), and 18789 + 9990 stays below Linux's ephemeral range (32768+).
 */
export function checkoutPortOffset(checkoutId: string): number {
  return (Number.parseInt(checkoutId.slice(0, 4), 16) % 1000) * 10;
}

// Busy on either the loopback or the wildcard address counts as busy: on macOS a wildcard listener
// does not stop a loopback bind, yet the two would still fight over connections.
async function isBindable(port: number): Promise<boolean> {
  return (await isPortFree(port, '127.0.0.1')) && (await isPortFree(port, '0.0.0.0'));
}

async function describeHolder(port: number, taken: ReadonlySet<number>): Promise<string> {
  if (taken.has(port)) return `port ${port} is already given to another service`;
  const owner = await findPortOwner(port);
  if (owner.status === 'listening') return `port ${port} is held by pid ${owner.pid} (${owner.command})`;
  if (owner.status === 'busy-unknown') return `port ${port} is in use by a process this user cannot see`;
  return `port ${port} was busy`;
}

/** Chooses one service's port: the ledger's if free or ours, else its shifted preferred port, else any free. */
export async function allocatePort(options: AllocatePortOptions): Promise<AllocatedPort> {
  const spec = findService(options.service);
  if (!spec) throw new Error(`allocatePort: "${options.service}" is not a service of the manifest`);
  const taken = new Set(options.taken ?? []);
  const usable = (port: number) => port > 0 && port <= MAX_PORT && !taken.has(port);

  const recorded = options.ledger?.services[options.service]?.port;
  if (recorded !== undefined && usable(recorded)) {
    if (await isBindable(recorded)) return { port: recorded };
    if (await (options.isOurs?.(recorded) ?? false)) return { port: recorded };
  }
  const shifted = spec.preferredPort + checkoutPortOffset(options.checkout.id);
  if (usable(shifted) && (await isBindable(shifted)))
    return withNote(options.service, recorded, shifted, taken);

  // get-port is only used for "any free port": it remembers ports it handed out for up to 30 s,
  // which would make the stable choices above differ between two calls in one process.
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await getPort({ exclude: taken });
    if (usable(port) && (await isBindable(port)))
      return withNote(options.service, recorded ?? shifted, port, taken);
    taken.add(port);
  }
  throw new Error(`allocatePort: no free TCP port found for ${options.service}; free some ports and retry`);
}

async function withNote(
  service: ServiceName,
  wanted: number | undefined,
  port: number,
  taken: ReadonlySet<number>,
): Promise<AllocatedPort> {
  if (wanted === undefined || wanted === port) return { port };
  return { port, note: `${service}: ${await describeHolder(wanted, taken)}: using ${port} instead` };
}

/** Chooses a port for every service of the manifest, in order, never giving two services one port. */
export async function allocatePorts(
  options: AllocatePortsOptions,
): Promise<{ ports: ServicePorts; notes: string[] }> {
  const ports: Partial<Record<ServiceName, number>> = {};
  const notes: string[] = [];
  for (const spec of SERVICES) {
    const allocated = await allocatePort({ ...options, service: spec.name, taken: Object.values(ports) });
    ports[spec.name] = allocated.port;
    if (allocated.note) notes.push(allocated.note);
  }
  return { ports: ports as ServicePorts, notes };
}

/** The ports this checkout's services are expected on now (ledger, else shifted preferred); no probing. */
export function initialPorts(checkout: Checkout, ledger: Ledger | null): ServicePorts {
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const spec of SERVICES) {
    ports[spec.name] =
      ledger?.services[spec.name]?.port ?? spec.preferredPort + checkoutPortOffset(checkout.id);
  }
  return ports as ServicePorts;
}
