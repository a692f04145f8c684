import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempCheckout, spawnCli, type TempCheckout } from '../test-support/index.js';

let temp: TempCheckout;
let root: string;

beforeEach(() => {
  temp = createTempCheckout({ services: false });
  root = temp.checkout.root;
  mkdirSync(temp.checkout.logsDir, { recursive: true });
  writeFileSync(join(temp.checkout.logsDir, 'web.log'), 'web ready\n');
});

afterEach(() => temp.remove());

// stdin is not a terminal here (a pipe), like in CI.
const run = (args: string[]) => spawnCli('reset-state', args, { cwd: root }).done;

describe('pnpm reset-state', () => {
  it('refuses without a terminal and without --yes, exit 1, and deletes nothing', async () => {
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pass --yes to confirm');
    expect(existsSync(join(root, '.tmp/dev/nexu-home/logs/web.log'))).toBe(true);
  });

  it('with --yes stops (nothing runs here) and removes .tmp/dev', async () => {
    const result = await run(['--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Removed');
    expect(existsSync(join(root, '.tmp/dev'))).toBe(false);
    expect(existsSync(join(root, '.tmp'))).toBe(true);
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await run(['--force']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--force'");
  });
});
