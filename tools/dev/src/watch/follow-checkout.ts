import { existsSync, type FSWatcher, statSync, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Checkout } from '../checkout/checkout.js';
import { readLiveHolder } from '../checkout/lock.js';
import { type Ledger, readLedger } from '../ports/ledger.js';

/** What happened to a checkout outside the session following it. */
export type CheckoutChange =
  /** Its ledger was removed: `pnpm stop` (here or `--all` elsewhere). `by` names the command seen holding the lock. */
  | { readonly kind: 'stopped'; readonly by: string | null }
  /** Its state folder was removed: `pnpm reset-state`. */
  | { readonly kind: 'reset'; readonly by: string | null }
  /** Its ledger was rewritten by another `pnpm start` (same units, or others: another backend, other ports). */
  | { readonly kind: 'replaced'; readonly ledger: Ledger }
  /** Its ledger was rewritten as something that cannot be followed. */
  | { readonly kind: 'unreadable'; readonly problem: string };

export interface CheckoutFollower {
  /** Looks now instead of at the next tick; resolves once the change (if any) was reported. */
  check(): Promise<void>;
  /** Stops following; resolves once a look under way (and its `onTick`) has ended. Idempotent. */
  close(): Promise<void>;
}

export interface FollowCheckoutOptions {
  readonly onChange: (change: CheckoutChange) => void;
  /**
   * Poll interval in ms (default 1000): a stat of the ledger, read only when it changed. Changes
   * in the state folder are looked at at once (`fs.watch`); the poll catches what events miss.
   */
  readonly intervalMs?: number;
  /**
   * Runs on every tick after the ledger was looked at (the attached session's takeover check).
   * An error it throws goes to `onError`, like any failed look; the next tick goes on.
   */
  readonly onTick?: () => Promise<void>;
  /** A look failed (default: ignored, the next tick looks again). */
  readonly onError?: (error: unknown) => void;
}

/** How long a removed ledger is watched for its state folder to go too (reset-state deletes it right after). */
const RESET_GRACE_MS = 500;

type Seen = { readonly ino: number; readonly mtimeMs: number; readonly size: number } | null;

/**
 * Follows a checkout's ledger, which every command that changes its services rewrites or removes:
 * reports a stop or reset (terminal: following ends) and every rewrite by another start.
 */
export function followCheckout(checkout: Checkout, options: FollowCheckoutOptions): CheckoutFollower {
  const seenOf = (s: { ino: number; mtimeMs: number; size: number } | null | undefined): Seen =>
    s ? { ino: s.ino, mtimeMs: s.mtimeMs, size: s.size } : null;
  let closed = false;
  // Taken at once: a stop right after the start must not become the baseline.
  let seen: Seen = seenOf(statSync(checkout.ledgerPath, { throwIfNoEntry: false }));
  let running: Promise<void> | undefined;
  // The last other command seen holding the lock: a stop releases it right after removing the ledger.
  let lastHolder: string | null = null;

  const tick = async () => {
    if (closed) return;
    const holder = await readLiveHolder(checkout.lockPath);
    if (holder && holder.pid !== process.pid) lastHolder = holder.command;
    const now = seenOf(await stat(checkout.ledgerPath).catch(() => null));
    if (now === null && seen !== null) {
      closed = true;
      const by = lastHolder;
      const start = Date.now();
      while (existsSync(checkout.stateDir) && Date.now() - start < RESET_GRACE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const reset = !existsSync(checkout.stateDir) || by === 'pnpm reset-state';
      options.onChange({ kind: reset ? 'reset' : 'stopped', by });
      return;
    } else if (
      now !== null &&
      (seen === null || now.ino !== seen.ino || now.mtimeMs !== seen.mtimeMs || now.size !== seen.size)
    ) {
      seen = now;
      const { ledger, problem } = await readLedger(checkout);
      if (ledger) options.onChange({ kind: 'replaced', ledger });
      else {
        closed = true;
        options.onChange({ kind: 'unreadable', problem: problem ?? 'it names no service of this checkout' });
        return;
      }
    }
    await options.onTick?.();
  };

  // One look at a time: a tick still running is joined, not doubled. Never rejects: the poll and
  // the folder watch call it without waiting, and a failed look is retried by the next tick. A
  // change seen while a look runs gets one more look after it: that look may have read the folder
  // before the change (a lock another command just took), and the poll comes only a second later.
  let again = false;
  const check = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = tick()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          void check();
        }
      });
    return running;
  };
  void check();
  const timer = setInterval(() => void check(), options.intervalMs ?? 1000);
  timer.unref();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(checkout.stateDir, { persistent: false }, () => void check());
    // The folder removed (reset-state) or unwatchable: the poll goes on alone.
    watcher.on('error', () => watcher?.close());
  } catch {}
  return {
    check,
    async close() {
      closed = true;
      clearInterval(timer);
      watcher?.close();
      await running;
    },
  };
}
