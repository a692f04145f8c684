import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceStartError } from './service-start-error.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logWith(lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'nexu-start-error-'));
  dirs.push(dir);
  const path = join(dir, 'gateway.log');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** One failed start as Node 20 logs it with source maps: 11 stack frames after the message. */
const crash = (root: string) => [
  `${root}/apps/gateway/src/main.ts:5`,
  '  throw new Error("boom at startup");',
  '        ^',
  '',
  '',
  'Error: boom at startup',
  `    at fail (${root}/apps/gateway/src/fail.ts:2:9)`,
  ...Array.from({ length: 10 }, (_, i) => `    at frame${i} (node:internal/modules/esm/x:${i}:1)`),
  '',
  'Node.js v20.20.2',
];
const crashed = {
  label: 'io.nexu.gateway.ab12.dev',
  state: 'crashed' as const,
  pid: null,
  restarts: 5,
  lastExit: null,
  reason: 'crash loop: 5 failed starts in 30s',
};

describe('serviceStartError', () => {
  it('leads with the error message and its source location, and never cuts the message off the tail', async () => {
    const root = '/work/nexu';
    const logPath = logWith([...crash(root), ...crash(root), ...crash(root)]);
    const error = await serviceStartError('gateway', 'it hit the crash loop: 5 failed starts in 30s', {
      status: crashed,
      logPath,
      root,
    });
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Unable to start gateway: Error: boom at startup');
    expect(lines[1]).toBe('    at apps/gateway/src/fail.ts:2:9');
    expect(lines[2]).toBe('  it hit the crash loop: 5 failed starts in 30s; state: crashed');
    expect(error.logTail[0]).toBe('Error: boom at startup');
    expect(error.logTail).not.toContain('Node.js v20.20.2');
    expect(error.report).toMatchObject({
      message: 'Error: boom at startup',
      location: 'apps/gateway/src/fail.ts:2:9',
    });
  });

  it('advises running pnpm start again by default, and saving a fix while watching', async () => {
    const logPath = logWith(['fault injection: crashing on purpose']);
    const start = await serviceStartError('controller', 'it hit the crash loop', { logPath });
    expect(start.message).toMatch(/run `pnpm start` again/);
    expect(start.message).not.toMatch(/Save a fix/);
    const watching = await serviceStartError('controller', 'it hit the crash loop', {
      logPath,
      recovery: 'save-fix',
    });
    expect(watching.message).toMatch(/Save a fix: the watch session rebuilds controller and starts it again/);
    expect(watching.message).not.toMatch(/pnpm start/);
  });

  it('shows the plain log tail when the service printed no stack trace', async () => {
    const logPath = logWith(['starting', 'fault injection: crashing on purpose']);
    const error = await serviceStartError('controller', 'it exited 1', { logPath });
    expect(error.message.split('\n')[0]).toBe('Unable to start controller: it exited 1');
    expect(error.message).toContain('    | fault injection: crashing on purpose');
    expect(error.report).toBeUndefined();
  });
});
