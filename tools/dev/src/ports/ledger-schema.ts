import type { ServiceName } from '../services/manifest.js';
import type { BackendName } from '../supervisor/supervisor.js';

/** Schema version written by this code; a newer one on disk is reported and ignored. */
export const LEDGER_VERSION = 1;

/** What `pnpm start` recorded about one service of this checkout. */
export interface LedgerEntry {
  readonly label: string;
  readonly port: number;
  /** Main pid when recorded, or null when the supervisor reported none. */
  readonly pid: number | null;
  /** Start time of `pid` (see `ProcessIdentity.startTime`); both must match to trust the pid. */
  readonly startTime: string | null;
  /** ISO time the service was started or attached to. */
  readonly since: string;
  readonly mode: 'started' | 'attached';
}

/** `.tmp/dev/runtime.json`: the runtime ledger of one checkout. */
export interface Ledger {
  readonly version: typeof LEDGER_VERSION;
  readonly checkoutId: string;
  /**
   * Real path of the checkout when the ledger was written (absent from ledgers written before it was
   * recorded): a checkout that was moved finds its previous location's services by it.
   */
  readonly root?: string;
  readonly backend: BackendName;
  /** ISO time of the last write. */
  readonly updatedAt: string;
  readonly services: Readonly<Partial<Record<ServiceName, LedgerEntry>>>;
}
