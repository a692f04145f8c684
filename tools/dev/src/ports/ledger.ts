import { readFile, rm } from 'node:fs/promises';
import { relative } from 'node:path';
import { writeFileAtomic } from '@nexu/service-kit';
import { type Checkout, checkoutIdFor } from '../checkout/checkout.js';
import { checkoutPresence } from '../checkout/checkout-presence.js';
import { serviceLabel } from '../checkout/service-identity.js';
import type { ServiceName } from '../services/manifest.js';
import type { Ledger } from './ledger-schema.js';
import { validateLedger } from './validate-ledger.js';

export { LEDGER_VERSION, type Ledger, type LedgerEntry } from './ledger-schema.js';

/** Where a moved checkout was before, as its own ledger (moved along with it) records. */
export interface PreviousLocation {
  /** The checkout id it had there (its services there carry it in their labels). */
  readonly checkoutId: string;
  readonly root: string;
  /** The ledger written there (its ports are reused where free). */
  readonly ledger: Ledger;
}

/** A ledger read from disk, or null with a one-line problem when it is unusable. */
export interface ReadLedgerResult {
  readonly ledger: Ledger | null;
  /** Why the file was ignored ("ignoring .tmp/dev/runtime.json: ..."); absent when fine or missing. */
  readonly problem?: string;
  /**
   * Set when the ledger was written by this very checkout at another place, which no checkout
   * occupies any more (it was moved here): its services there are this checkout's to take back.
   */
  readonly previous?: PreviousLocation;
}

/**
 * Reads this checkout's ledger; a missing, corrupt, foreign or future one is never trusted, never
 * thrown. One written at this checkout's previous location comes back as `previous`; one of a
 * checkout that still lives elsewhere (a copy of it) is foreign.
 */
export async function readLedger(checkout: Checkout): Promise<ReadLedgerResult> {
  const where = relative(checkout.root, checkout.ledgerPath);
  let text: string;
  try {
    text = await readFile(checkout.ledgerPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ledger: null };
    return { ledger: null, problem: `ignoring ${where}: cannot read it (${(error as Error).message})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ledger: null, problem: `ignoring ${where}: not valid JSON (corrupt or truncated)` };
  }
  const result = validateLedger(raw, checkout.id);
  if (result.ok) return { ledger: result.ledger };
  const other = validateLedger(raw);
  if (other.ok) {
    const { checkoutId, root } = other.ledger;
    // Recorded at another root that hashes to the recorded id: written there by this checkout.
    if (root !== undefined && root !== checkout.root && checkoutIdFor(root) === checkoutId) {
      if (checkoutPresence(root, checkoutId) !== 'live') {
        return { ledger: null, previous: { checkoutId, root, ledger: other.ledger } };
      }
      return {
        ledger: null,
        problem: `ignoring ${where}: ${result.reason}, which still lives at ${root} (this checkout is a copy of it)`,
      };
    }
  }
  return { ledger: null, problem: `ignoring ${where}: ${result.reason}` };
}

/**
 * The ledger a checkout's services on `backend` are started from: a moved checkout's previous
 * location's (its ports, under this checkout's id, no pid); else this checkout's own when it was
 * written for that backend; else none.
 */
export function ledgerFor(
  checkout: Checkout,
  backend: string,
  read: { readonly ledger: Ledger | null; readonly previous?: PreviousLocation | undefined },
): Ledger | null {
  if (read.previous) return adoptPreviousLedger(checkout, read.previous);
  return read.ledger?.backend === backend ? read.ledger : null;
}

/**
 * The ledger a moved checkout starts from: its previous location's ports (reused where free), under
 * this checkout's id and root, with no pid (what ran there is not this checkout's to attach to).
 */
function adoptPreviousLedger(checkout: Checkout, previous: PreviousLocation): Ledger {
  const services = Object.fromEntries(
    Object.entries(previous.ledger.services).map(([name, entry]) => [
      name,
      {
        ...entry!,
        label: serviceLabel(name as ServiceName, checkout.id),
        pid: null,
        startTime: null,
      },
    ]),
  );
  return { ...previous.ledger, checkoutId: checkout.id, root: checkout.root, services };
}

/** Writes the ledger atomically (temp file in the same folder, then rename), readable by the owner only. */
export async function writeLedger(checkout: Checkout, ledger: Ledger): Promise<void> {
  await writeFileAtomic(checkout.ledgerPath, `${JSON.stringify(ledger, null, 2)}\n`, { mode: 0o600 });
}

/** Deletes the ledger; a missing file is fine. */
export async function removeLedger(checkout: Checkout): Promise<void> {
  await rm(checkout.ledgerPath, { force: true });
}
