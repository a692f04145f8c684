import { rm } from 'node:fs/promises';
import type { Checkout } from '../checkout/checkout.js';
import { askConfirmation, type Confirmation } from '../format/confirmation.js';
import { formatBytes } from '../format/format-bytes.js';
import { checkStateDir } from './check-state-dir.js';

export interface ResetStateOptions extends Confirmation {
  readonly checkout: Checkout;
  /** Stops every service of this checkout (`pnpm stop`); runs before anything is deleted. */
  readonly stop: () => Promise<unknown>;
}

export type ResetStateResult =
  | {
      readonly ok: true;
      readonly outcome: 'removed';
      readonly removed: readonly string[];
      readonly bytes: number;
    }
  | { readonly ok: true; readonly outcome: 'nothing-to-remove' }
  | {
      readonly ok: false;
      readonly reason: 'unsafe' | 'needs-confirmation' | 'declined';
      readonly message: string;
    };

/**
 * `pnpm reset-state`: after confirmation, stops this checkout's services, then deletes its
 * `.tmp/dev` — only once `checkStateDir` found it to be a real folder inside this checkout's `.tmp`
 * with no symlink leading out (checked before asking and again right before deleting).
 * `rm` never follows symlinks, so whatever a deeper link points at survives.
 */
export async function resetState(options: ResetStateOptions): Promise<ResetStateResult> {
  const { checkout, out } = options;
  const before = await checkStateDir(checkout);
  if (!before.ok) return { ok: false, reason: 'unsafe', message: before.message };

  if (before.exists) {
    const lines = [
      `This stops this checkout's services and deletes ${checkout.stateDir}:`,
      ...before.entries.map((entry) => `  ${entry.name.padEnd(16)} ${formatBytes(entry.bytes)}`),
      `  total            ${formatBytes(before.totalBytes)}`,
    ];
    const answer = await askConfirmation(options, lines, 'Delete it? [y/N] ');
    if (answer === 'needs-confirmation') {
      return {
        ok: false,
        reason: answer,
        message: `Refusing to delete ${checkout.stateDir} without confirmation: no terminal to ask on, pass --yes to confirm.`,
      };
    }
    if (answer === 'declined') {
      return { ok: false, reason: answer, message: 'Nothing was stopped or removed.' };
    }
  }

  await options.stop();

  // Stopping took time and other commands may have run: check again right before deleting.
  const now = await checkStateDir(checkout);
  if (!now.ok) return { ok: false, reason: 'unsafe', message: now.message };
  if (!now.exists) {
    out(`Nothing to remove: ${checkout.stateDir} does not exist.`);
    return { ok: true, outcome: 'nothing-to-remove' };
  }
  // A watching session in another terminal may still write a file there while it notices the stop
  // (stop returns as soon as the processes are gone): rm retries a folder that was not empty yet.
  await rm(checkout.stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  const removed = now.entries.map((entry) => entry.name);
  out(`Removed ${checkout.stateDir} (${removed.join(', ') || 'empty'}; ${formatBytes(now.totalBytes)}).`);
  return { ok: true, outcome: 'removed', removed, bytes: now.totalBytes };
}
