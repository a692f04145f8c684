import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCheckout } from './bench-checkout.js';

/**
 * Copies the logs of a failed run (the tool's own and the services') out of the bench checkout,
 * which is deleted at the end, into `<tmp>/nexu-bench-logs/`; returns that folder for the note.
 */
export function keepFailureLogs(bench: BenchCheckout, tool: string): string {
  const target = join(tmpdir(), 'nexu-bench-logs', `${Date.now()}-${tool.replace(/[^a-z0-9-]+/gi, '-')}`);
  mkdirSync(target, { recursive: true });
  for (const dir of [bench.scratch, bench.checkout.logsDir]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
      cpSync(join(dir, name), join(target, name.startsWith('.') ? name.slice(1) : name));
    }
  }
  return target;
}
