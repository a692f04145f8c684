import { rm } from 'node:fs/promises';
import type { Checkout } from '../checkout/checkout.js';
import { formatBytes } from '../format/format-bytes.js';
import { checkStateDir } from './check-state-dir.js';

export interface ResetStateOptions {
  readonly checkout: Checkout;
  /** Stops every service of this checkout (`pnpm stop`); runs before anything is deleted. */
  readonly stop: () => Promise<unknown>;
  /** `--yes`: delete without asking. */
  readonly yes: boolean;
  /** Whether a person can answer a question (stdin is a terminal). */
  readonly isTTY: boolean;
  /** Asks a yes/no question; resolves true only for an explicit yes. */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Receives the lines to show the user. */
  readonly out: (line: string) => void;
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

  if (before.exists && !options.yes) {
    if (!options.isTTY) {
      return {
        ok: false,
        reason: 'needs-confirmation',
        message: `Refusing to delete ${checkout.stateDir} without confirmation: no terminal to ask on, pass --yes to confirm.`,
      };
    }
    out(`This stops this checkout's services and deletes ${checkout.stateDir}:`);
    for (const entry of before.entries) out(`  ${entry.name.padEnd(16)} ${formatBytes(entry.bytes)}`);
    out(`  total            ${formatBytes(before.totalBytes)}`);
    if (!(await options.confirm('Delete it? [y/N] '))) {
      return { ok: false, reason: 'declined', message: 'Nothing was stopped or removed.' };
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
  await rm(checkout.stateDir, { recursive: true, force: true });
  const removed = now.entries.map((entry) => entry.name);
  out(`Removed ${checkout.stateDir} (${removed.join(', ') || 'empty'}; ${formatBytes(now.totalBytes)}).`);
  return { ok: true, outcome: 'removed', removed, bytes: now.totalBytes };
}
