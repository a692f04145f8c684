import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCheckout } from '../checkout/checkout.js';
import { capLogFile, capLogs, parseCapMarker } from './cap-log.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cap-log-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const numbered = (from: number, to: number, prefix = 'line') =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${String(from + i).padStart(5, '0')}\n`).join(
    '',
  );

describe('capLogFile', () => {
  it('cuts a file over the cap in place to a tail that starts at a line boundary', async () => {
    const path = join(dir, 'gateway.log');
    writeFileSync(path, numbered(1, 1000)); // 11 bytes a line
    const inode = statSync(path).ino;

    const result = await capLogFile(path, { maxBytes: 5000, keepBytes: 1000 });

    expect(result.outcome).toBe('capped');
    expect(statSync(path).ino).toBe(inode);
    const [marker, ...rest] = readFileSync(path, 'utf8').split('\n');
    expect(parseCapMarker(marker!)).toBe(11_000 - rest.join('\n').length);
    expect(rest.join('\n')).toBe(numbered(911, 1000));
    expect(statSync(path).size).toBeLessThanOrEqual(1000 + marker!.length + 1);
  });

  it('leaves a file under the cap untouched and reports a missing one', async () => {
    const path = join(dir, 'web.log');
    writeFileSync(path, numbered(1, 10));
    expect(await capLogFile(path, { maxBytes: 5000, keepBytes: 1000 })).toEqual({
      outcome: 'under-cap',
      size: 110,
    });
    expect(readFileSync(path, 'utf8')).toBe(numbered(1, 10));
    expect(await capLogFile(join(dir, 'none.log'))).toEqual({ outcome: 'missing' });
  });
});

describe('capLogs', () => {
  it("caps every service log of a checkout and skips the ones that don't exist", async () => {
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), '');
    const checkout = resolveCheckout(dir);
    mkdirSync(checkout.logsDir, { recursive: true });
    writeFileSync(join(checkout.logsDir, 'gateway.log'), numbered(1, 1000));
    writeFileSync(join(checkout.logsDir, 'web.log'), numbered(1, 3));

    const results = await capLogs(checkout, { maxBytes: 5000, keepBytes: 1000 });

    expect(results.gateway?.outcome).toBe('capped');
    expect(results.controller).toEqual({ outcome: 'missing' });
    expect(results.web).toEqual({ outcome: 'under-cap', size: 33 });
  });
});
