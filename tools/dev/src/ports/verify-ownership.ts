import type { Checkout } from '../checkout/checkout.js';
import { type ProcessIdentity, processIdentity } from '../os/process-identity.js';
import type { Ledger } from './ledger-schema.js';

declare const owned: unique symbol;

/**
 * A process verified to belong to this checkout. Only `verifyOwnership` creates one (the brand's
 * symbol is not exported), so code that signals processes cannot be handed a bare or foreign pid.
 */
export interface OwnedProcess {
  readonly pid: number;
  /** Start time when verified; re-checked before every signal. */
  readonly startTime: string;
  readonly pgid: number;
  readonly command: string;
  readonly [owned]: true;
}

/** Why a process counts as ours. */
export type OwnershipProof = 'supervisor' | 'ledger' | 'instance-marker';

export type OwnershipResult =
  | { readonly ours: true; readonly process: OwnedProcess; readonly why: OwnershipProof }
  | { readonly ours: false; readonly identity: ProcessIdentity | null; readonly reason: string };

export interface VerifyOwnershipOptions {
  readonly checkout: Checkout;
  /** This checkout's validated ledger, or null. */
  readonly ledger: Ledger | null;
  /** Main pids the supervisor reports for this checkout's units. */
  readonly supervisorPids: readonly number[];
}

// Handles issued in this process: a forged object cast to OwnedProcess is refused at runtime too.
const issued = new WeakSet<object>();

/** Whether `handle` was issued by `verifyOwnership` (and not forged with a type cast). */
export function isIssuedHandle(handle: OwnedProcess): boolean {
  return issued.has(handle);
}

async function descendsFrom(identity: ProcessIdentity, roots: ReadonlySet<number>): Promise<boolean> {
  let current: ProcessIdentity | null = identity;
  for (let depth = 0; current && depth < 64; depth++) {
    if (roots.has(current.pid)) return true;
    if (current.ppid <= 1) return false;
    current = await processIdentity(current.ppid);
  }
  return false;
}

async function proveOwnership(identity: ProcessIdentity, options: VerifyOwnershipOptions) {
  const roots = new Set(options.supervisorPids.filter((pid) => pid > 1));
  if (await descendsFrom(identity, roots)) return 'supervisor';
  const entries = Object.values(options.ledger?.services ?? {});
  if (entries.some((e) => e?.pid === identity.pid && e.startTime === identity.startTime)) return 'ledger';
  if (identity.instance === options.checkout.id) return 'instance-marker';
  return undefined;
}

/** Decides whether `pid` belongs to this checkout; only a `true` answer yields a handle that can be stopped. */
export async function verifyOwnership(
  pid: number,
  options: VerifyOwnershipOptions,
): Promise<OwnershipResult> {
  const identity = await processIdentity(pid);
  if (!identity) return { ours: false, identity: null, reason: `pid ${pid} is not running` };
  const foreign = `pid ${pid} (${identity.command}) is not a process of this checkout (${options.checkout.id})`;
  // An explicit marker of another checkout (or of the packaged app) wins over every other proof.
  if (identity.instance !== undefined && identity.instance !== options.checkout.id) {
    return {
      ours: false,
      identity,
      reason: `${foreign}: it belongs to nexu dev instance ${identity.instance}`,
    };
  }
  const why = await proveOwnership(identity, options);
  if (!why) return { ours: false, identity, reason: foreign };
  const handle = {
    pid,
    startTime: identity.startTime,
    pgid: identity.pgid,
    command: identity.command,
  } as OwnedProcess;
  issued.add(handle);
  return { ours: true, process: Object.freeze(handle), why };
}
