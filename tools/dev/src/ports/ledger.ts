import { readFile, rm } from 'node:fs/promises';
import { relative } from 'node:path';
import { writeFileAtomic } from '@nexu/service-kit';
import type { Checkout } from '../checkout/checkout.js';
import type { Ledger } from './ledger-schema.js';
import { validateLedger } from './validate-ledger.js';

export { LEDGER_VERSION, type Ledger, type LedgerEntry } from './ledger-schema.js';

/** A ledger read from disk, or null with a one-line problem when it is unusable. */
export interface ReadLedgerResult {
  readonly ledger: Ledger | null;
  /** Why the file was ignored ("ignoring .tmp/dev/runtime.json: ..."); absent when fine or missing. */
  readonly problem?: string;
}

/** Reads this checkout's ledger; a missing, corrupt, foreign or future one is never trusted, never thrown. */
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
  return result.ok
    ? { ledger: result.ledger }
    : { ledger: null, problem: `ignoring ${where}: ${result.reason}` };
}

/** Writes the ledger atomically (temp file in the same folder, then rename), readable by the owner only. */
export async function writeLedger(checkout: Checkout, ledger: Ledger): Promise<void> {
  await writeFileAtomic(checkout.ledgerPath, `${JSON.stringify(ledger, null, 2)}\n`, { mode: 0o600 });
}

/** Deletes the ledger; a missing file is fine. */
export async function removeLedger(checkout: Checkout): Promise<void> {
  await rm(checkout.ledgerPath, { force: true });
}
