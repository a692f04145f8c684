import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Checkout, resolveCheckout } from '../checkout/checkout.js';
import { scheduleLogCaps } from './schedule-log-caps.js';

let root: string;
let checkout: Checkout;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'schedule-log-caps-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), '');
  checkout = resolveCheckout(root);
  mkdirSync(checkout.logsDir, { recursive: true });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('scheduleLogCaps', () => {
  it('caps a log that grows past the cap during the session, until closed', async () => {
    const path = join(checkout.logsDir, 'controller.log');
    writeFileSync(path, '');
    const schedule = scheduleLogCaps(checkout, { maxBytes: 2000, keepBytes: 500, intervalMs: 20 });
    try {
      writeFileSync(path, 'x'.repeat(99).concat('\n').repeat(50));
      expect((await waitFor(() => statSync(path).size < 1000)).ok).toBe(true);
      expect(readFileSync(path, 'utf8')).toMatch(/^\[nexu dev\] log capped: dropped \d+ bytes/);
    } finally {
      const closing = schedule.close();
      expect(schedule.close()).toBe(closing);
      await closing;
    }
  });
});
