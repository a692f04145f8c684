import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';

const MB = 1_000_000;
const base = Date.parse('2026-12-03T09:00:00.000Z');
const stamp = (ms: number) => `${new Date(base + ms).toISOString()} `;

/**
 * Writes a log of about `bytes` as the services write it under nexu dev (each line stamped), one
 * line every 10 ms from 09:00 UTC, with a needle every 1000 lines; and the lines node prints itself
 * on a crash (no stamp) after each needle.
 */
function writeLog(path: string, service: string, bytes: number, offsetMs: number): { needles: string[] } {
  const lines: string[] = [];
  const needles: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const ms = offsetMs + i * 10;
    let line = `${stamp(ms)}${service}: GET /api/runtime 200 in 3 ms (request ${i}) ${'x'.repeat(40)}`;
    if (i % 1000 === 999) {
      const needle = `${service} Needle ${i}`;
      needles.push(needle);
      line = `${stamp(ms)}${needle}\n    at crash (apps/${service}/src/main.ts:1:1)`;
    }
    lines.push(line);
    size += line.length + 1;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { needles };
}

describe('pnpm logs --grep / --since', { timeout: 60_000 }, () => {
  let temp: TempCheckout;
  let checkout: Checkout;
  const followers: Array<ReturnType<typeof spawnCli>> = [];
  let needles: Record<string, string[]>;

  beforeAll(() => {
    temp = createTempCheckout({ services: false });
    checkout = temp.checkout;
    mkdirSync(checkout.logsDir, { recursive: true });
    needles = {
      gateway: writeLog(join(checkout.logsDir, 'gateway.log'), 'gateway', 10 * MB, 0).needles,
      controller: writeLog(join(checkout.logsDir, 'controller.log'), 'controller', MB, 5).needles,
    };
    return () => temp.remove();
  });

  afterEach(async () => {
    for (const cli of followers.splice(0)) {
      process.kill(-cli.child.pid!, 'SIGINT');
      await cli.done;
    }
  });

  it('finds every match in a 10 MB log and the others, in the order written, each with its prefix', async () => {
    const began = performance.now();
    const result = await spawnCli('logs', ['--grep', 'needle \\d+$', '-i', '--no-follow'], {
      cwd: checkout.root,
    }).done;
    const ms = Math.round(performance.now() - began);
    console.log(`[logs --grep] 10 MB + 1 MB of logs searched in ${ms} ms (whole command)`);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const expected = [
      ...needles.gateway!.map((n) => ['gateway', n]),
      ...needles.controller!.map((n) => ['controller', n]),
    ]
      .map(([service, needle]) => ({
        service,
        needle,
        at: Number(needle!.split(' ').pop()) * 10 + (service === 'controller' ? 5 : 0),
      }))
      .sort((a, b) => a.at - b.at)
      .map(({ service, needle }) => `${service!.padEnd(10)} | ${needle}`);
    expect(lines).toEqual(expected);
    expect(needles.gateway!.length).toBeGreaterThan(50);
  });

  it('without -i the case matters; a bad pattern is a usage error', async () => {
    const none = await spawnCli('logs', ['--grep', 'needle \\d+$', '--no-follow'], { cwd: checkout.root })
      .done;
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    const bad = await spawnCli('logs', ['--grep', '(', '--no-follow'], { cwd: checkout.root }).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--grep "\(" is not a regular expression/);
    const since = await spawnCli('logs', ['--since', 'soon'], { cwd: checkout.root }).done;
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since needs a duration/);
    const i = await spawnCli('logs', ['-i'], { cwd: checkout.root }).done;
    expect(i.code).toBe(2);
  });

  it('--since keeps the lines written from then on, with the unstamped lines after them', async () => {
    // The gateway's last needle and what follows it; the controller's log ended long before.
    const last = needles.gateway!.at(-1)!;
    const at = Number(last.split(' ').pop()) * 10;
    const since = new Date(base + at).toISOString();
    const result = await spawnCli('logs', ['gateway', '--since', since, '--no-follow'], {
      cwd: checkout.root,
    }).done;
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`gateway | ${last}`);
    expect(lines[1]).toBe('gateway |     at crash (apps/gateway/src/main.ts:1:1)');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((line) => line.startsWith('gateway | '))).toBe(true);

    const both = await spawnCli('logs', ['--since', since, '--grep', 'at crash', '--no-follow'], {
      cwd: checkout.root,
    }).done;
    expect(both.stdout).toBe('gateway    |     at crash (apps/gateway/src/main.ts:1:1)\n');
  });

  it('following with --grep prints the matching history, then only matching appended lines', async () => {
    const cli = spawnCli('logs', ['controller', '--grep', 'Needle', '--lines', '1'], { cwd: checkout.root });
    followers.push(cli);
    const seen = await waitFor(() => cli.output.stderr.includes('Following controller'), {
      timeoutMs: 20_000,
    });
    expect(seen.ok).toBe(true);
    expect(cli.output.stdout).toBe(`controller | ${needles.controller!.at(-1)}\n`);
    appendFileSync(
      join(checkout.logsDir, 'controller.log'),
      `${stamp(10_000_000)}no match\n${stamp(10_000_001)}Needle new\n`,
    );
    const appended = await waitFor(() => cli.output.stdout.includes('Needle new'), { timeoutMs: 20_000 });
    expect(appended.ok).toBe(true);
    expect(cli.output.stdout).not.toContain('no match');
  });
});
