import getPort from 'get-port';
import type { Checkout } from '../checkout/checkout.js';
import { isPortFree } from '../os/port-free.js';
import { findPortOwner } from '../os/port-owner.js';
import { SERVICES, type ServiceName, type ServicePorts, type ServiceSpec } from '../services/manifest.js';
import type { Ledger } from './ledger-schema.js';
import { type OwnedProcess, verifyOwnership } from './verify-ownership.js';

const MAX_PORT = 65_535;

/**
 * Stable per-checkout shift of the preferred ports (0..9990 in steps of 10) so checkouts do not
 * collide: 1000 slots make two checkouts share defaults about 0.1% of the time (then resolution
 * moves one), and 18789 + 9990 stays below Linux's ephemeral range (32768+).
 */
export function checkoutPortOffset(checkoutId: string): number {
  return (Number.parseInt(checkoutId.slice(0, 4), 16) % 1000) * 10;
}

/** The port a service of this checkout uses when the ledger has none: its preferred port, shifted. */
export function preferredPort(spec: Pick<ServiceSpec, 'preferredPort'>, checkoutId: string): number {
  return spec.preferredPort + checkoutPortOffset(checkoutId);
}

/** The port a service is expected on, without probing: the ledger's, else the shifted preferred one. */
export function expectedPort(
  spec: ServiceSpec,
  checkout: Pick<Checkout, 'id'>,
  ledger: Ledger | null,
): number {
  return ledger?.services[spec.name]?.port ?? preferredPort(spec, checkout.id);
}

/** `expectedPort` of every service. */
export function expectedPorts(
  checkout: Pick<Checkout, 'id'>,
  ledger: Ledger | null,
  services: readonly ServiceSpec[] = SERVICES,
): ServicePorts {
  return Object.fromEntries(
    services.map((spec) => [spec.name, expectedPort(spec, checkout, ledger)]),
  ) as unknown as ServicePorts;
}

/** Who holds the port a service expects, as far as this checkout is concerned. */
export type PortHolder =
  | { readonly kind: 'free' }
  /** The service's own process (its supervisor's main pid): replaced in place. */
  | { readonly kind: 'service'; readonly pid: number }
  /** A verified leftover of this checkout that no unit runs: stopped before the service starts. */
  | { readonly kind: 'stale'; readonly process: OwnedProcess }
  /** Anything else: never touched; the service moves to another port. */
  | { readonly kind: 'foreign'; readonly description: string };

/** Where a service will listen, and why it is not the expected port when it is not. */
export interface ResolvedPort {
  readonly port: number;
  /** The port the ledger (or the preferred port) named. */
  readonly expected: number;
  /** What holds `expected` now. */
  readonly holder: PortHolder;
  /** Why the service moved, e.g. `port 18790 is held by pid 123 (python3), not ours: using 18800 instead`. */
  readonly note?: string;
}

export interface ResolvePortOptions {
  readonly spec: ServiceSpec;
  readonly checkout: Checkout;
  /** This checkout's validated ledger (for its ports and for proving a leftover ours), or null. */
  readonly ledger: Ledger | null;
  /** Main pid the supervisor reports for this service's unit, or null. */
  readonly servicePid: number | null;
  /** Main pids of this checkout's other units: never "stale", even though they are ours. */
  readonly peerPids: readonly number[];
  /** Ports already given to other services of this checkout. */
  readonly taken: ReadonlySet<number>;
  /** Pids that will be stopped before the service starts: a port one of them holds counts as free. */
  readonly freedPids?: readonly number[];
  /**
   * The port this service just lost (a leftover of ours on it could not be stopped, or it was taken
   * before the service bound it): known to be held, it is not probed again, and the service moves;
   * the note says why (`port 18790 was taken before it could bind it: using 18800 instead`).
   */
  readonly lost?: { readonly port: number; readonly description: string };
}

/**
 * Resolves one service's port without changing anything: the expected port when it is free, held
 * by the service itself, or by a verified leftover of ours (reported as `stale`, for the caller to
 * stop); otherwise (and after a port was `lost`) another free port, with a note naming who holds
 * the expected one.
 */
export async function resolvePort(options: ResolvePortOptions): Promise<ResolvedPort> {
  const { spec, checkout, ledger, taken } = options;
  const expected = options.lost?.port ?? expectedPort(spec, checkout, ledger);
  const holder = await holderOf(expected, options);
  if (holder.kind !== 'foreign') return { port: expected, expected, holder };
  const port = await findFreePort(spec, checkout, new Set([...taken, expected]));
  return { port, expected, holder, note: `port ${expected} ${holder.description}: using ${port} instead` };
}

/**
 * Resolves the ports of `services` (in dependency order) one after another, so that a service that
 * must move cannot take a port given to an earlier one; each knows its own supervisor pid and its
 * peers'. The start's one port decision (`gatherStartFacts`), `--dry-run`'s too.
 */
export async function resolvePorts(options: {
  readonly checkout: Checkout;
  readonly ledger: Ledger | null;
  readonly services: readonly ServiceSpec[];
  /** A service's main pid as its supervisor reports it, or null. */
  readonly pidOf: (name: ServiceName) => number | null;
  readonly freedPids?: readonly number[];
}): Promise<Map<ServiceName, ResolvedPort>> {
  const { services, pidOf } = options;
  const resolved = new Map<ServiceName, ResolvedPort>();
  for (const spec of services) {
    resolved.set(
      spec.name,
      await resolvePort({
        spec,
        checkout: options.checkout,
        ledger: options.ledger,
        servicePid: pidOf(spec.name),
        peerPids: services.flatMap((peer) => (peer === spec ? [] : (pidOf(peer.name) ?? []))),
        taken: new Set([...resolved.values()].map((r) => r.port)),
        ...(options.freedPids ? { freedPids: options.freedPids } : {}),
      }),
    );
  }
  return resolved;
}

/** Who holds the expected port: as known when it was lost, another service's, or as found now. */
async function holderOf(port: number, options: ResolvePortOptions): Promise<PortHolder> {
  if (options.lost) return { kind: 'foreign', description: options.lost.description };
  if (options.taken.has(port)) return { kind: 'foreign', description: 'is already given to another service' };
  return findHolder(port, options);
}

async function findHolder(port: number, options: ResolvePortOptions): Promise<PortHolder> {
  const owner = await findPortOwner(port, {
    candidates: [...(options.servicePid ? [options.servicePid] : []), ...options.peerPids],
  });
  if (owner.status === 'free') return { kind: 'free' };
  if (owner.status === 'busy-unknown') {
    return { kind: 'foreign', description: 'is in use by a process this user cannot see' };
  }
  if (owner.pid === options.servicePid) return { kind: 'service', pid: owner.pid };
  if (options.freedPids?.includes(owner.pid)) return { kind: 'free' };
  const foreign = {
    kind: 'foreign',
    description: `is held by pid ${owner.pid} (${owner.command}), not ours`,
  } as const;
  // Another unit of ours holding this port is still not ours to stop.
  if (options.peerPids.includes(owner.pid)) return foreign;
  const verdict = await verifyOwnership(owner.pid, {
    checkout: options.checkout,
    ledger: options.ledger,
    supervisorPids: options.servicePid ? [options.servicePid] : [],
  });
  return verdict.ours ? { kind: 'stale', process: verdict.process } : foreign;
}

// Busy on either the loopback or the wildcard address counts as busy: on macOS a wildcard listener
// does not stop a loopback bind, yet the two would still fight over connections.
async function isBindable(port: number): Promise<boolean> {
  return (await isPortFree(port, '127.0.0.1')) && (await isPortFree(port, '0.0.0.0'));
}

// Each checkout's preferred ports lie in a slot of 10 (see `checkoutPortOffset`); the services use
// the first few, the rest of the slot is spare.
const SLOT_SIZE = 10;
const SLOTS = 1000;
const FIRST_PORT = Math.min(...SERVICES.map((s) => s.preferredPort));
const SPARE_FROM = Math.max(...SERVICES.map((s) => s.preferredPort)) - FIRST_PORT + 1;
/** How many ports of the stable sequence are tried before any free port will do. */
const SEQUENCE_TRIES = 400;

/**
 * The ports a service of this checkout falls back to, in a stable order: its shifted preferred
 * port, then the spare ports of its checkout's slot, then those of the following slots (wrapping
 * round the 1000 slots). The same checkout always gets the same sequence, so `pnpm start
 * --dry-run` and the start after it pick the same port: the first usable one.
 */
export function* fallbackPorts(
  spec: Pick<ServiceSpec, 'preferredPort'>,
  checkoutId: string,
): Generator<number> {
  yield preferredPort(spec, checkoutId);
  const slot = checkoutPortOffset(checkoutId) / SLOT_SIZE;
  for (let i = 0; i < SLOTS; i++) {
    const base = FIRST_PORT + ((slot + i) % SLOTS) * SLOT_SIZE;
    for (let spare = SPARE_FROM; spare < SLOT_SIZE; spare++) yield base + spare;
  }
}

/**
 * A free port for a service that cannot have its expected one: the first usable port of its
 * stable sequence (`fallbackPorts`), else any free port (never 0, never taken).
 */
async function findFreePort(
  spec: ServiceSpec,
  checkout: Pick<Checkout, 'id'>,
  taken: ReadonlySet<number>,
): Promise<number> {
  const excluded = new Set(taken);
  const usable = (port: number) => port > 0 && port <= MAX_PORT && !excluded.has(port);
  let tried = 0;
  for (const port of fallbackPorts(spec, checkout.id)) {
    if (tried++ >= SEQUENCE_TRIES) break;
    if (usable(port) && (await isBindable(port))) return port;
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await getPort({ exclude: excluded });
    if (usable(port) && (await isBindable(port))) return port;
    excluded.add(port);
  }
  throw new Error(`No free TCP port found for ${spec.name}: free some ports and run the command again.`);
}
