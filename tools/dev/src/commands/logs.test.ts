import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Checkout, resolveCheckout } from '../checkout/checkout.js';
import { runLogs } from './logs.js';

let root: string;
let checkout: Checkout;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'run-logs-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), '');
  checkout = resolveCheckout(root);
  mkdirSync(checkout.logsDir, { recursive: true });
  writeFileSync(join(checkout.logsDir, 'gateway.log'), 'g1\ng2\ng3\n');
  writeFileSync(join(checkout.logsDir, 'controller.log'), 'c1\nc2 unterminated');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('runLogs', () => {
  it('prints the last lines of each log with padded service prefixes and notes the missing ones', async () => {
    let out = '';
    const notes: string[] = [];
    const report = await runLogs({
      checkout,
      services: ['gateway', 'controller', 'web'],
      lines: 2,
      follow: false,
      out: (text) => {
        out += text;
      },
      note: (line) => notes.push(line),
    });
    expect(out).toBe(
      ['gateway    | g2', 'gateway    | g3', 'controller | c1', 'controller | c2 unterminated', ''].join(
        '\n',
      ),
    );
    expect(report).toEqual({ linesShown: 4, missing: ['web'] });
    expect(notes.join('\n')).toContain('No log yet for web');
  });

  it("shows only the chosen service's log", async () => {
    let out = '';
    await runLogs({ checkout, services: ['controller'], lines: 10, follow: false, out: (t) => (out += t) });
    expect(out).toBe('controller | c1\ncontroller | c2 unterminated\n');
  });

  it('follows appended lines and returns once the signal aborts', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    const running = runLogs({
      checkout,
      services: ['gateway', 'web'],
      lines: 1,
      follow: true,
      out: (text) => lines.push(text),
      signal: controller.signal,
      pollIntervalMs: 50,
    });
    expect((await waitFor(() => lines.length === 1)).ok).toBe(true);
    writeFileSync(join(checkout.logsDir, 'web.log'), 'w1\n');
    appendFileSync(join(checkout.logsDir, 'gateway.log'), 'g4\n');
    expect((await waitFor(() => lines.length === 3)).ok).toBe(true);
    controller.abort();
    expect(await running).toMatchObject({ linesShown: 3, missing: ['web'] });
    expect(lines[0]).toBe('gateway | g3\n');
    expect(lines.slice(1).sort()).toEqual(['gateway | g4\n', 'web     | w1\n']);
  });

  it('prints a crash repeated on every start once, with a count, when asked to fold crashes', async () => {
    const crash = [
      'Error: boom at startup',
      '    at main (/r/apps/gateway/src/main.ts:3:7)',
      '',
      'Node.js v20.20.2',
      '',
    ];
    const out: string[] = [];
    const notes: string[] = [];
    const controller = new AbortController();
    const running = runLogs({
      checkout,
      services: ['gateway'],
      lines: 0,
      follow: true,
      out: (text) => out.push(text),
      note: (line) => notes.push(line),
      signal: controller.signal,
      pollIntervalMs: 50,
      foldCrashes: true,
    });
    expect((await waitFor(() => notes.some((n) => n.startsWith('Following')))).ok).toBe(true);
    for (let i = 0; i < 3; i++) appendFileSync(join(checkout.logsDir, 'gateway.log'), crash.join('\n'));
    expect((await waitFor(() => out.length >= 4)).ok).toBe(true);
    appendFileSync(join(checkout.logsDir, 'gateway.log'), 'gateway listening\n');
    expect((await waitFor(() => out.at(-1) === 'gateway | gateway listening\n')).ok).toBe(true);
    controller.abort();
    await running;
    expect(out).toEqual([
      'gateway | Error: boom at startup\n',
      'gateway |     at main (/r/apps/gateway/src/main.ts:3:7)\n',
      'gateway | \n',
      'gateway | Node.js v20.20.2\n',
      'gateway | the same crash 2 more times (3 in a row; shown once above)\n',
      'gateway | gateway listening\n',
    ]);
  });
});
