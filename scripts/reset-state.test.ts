import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const tsx = join(repoRoot, 'node_modules/.bin/tsx');
const script = join(repoRoot, 'scripts/reset-state.ts');

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'reset-state-cli-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), '');
  mkdirSync(join(root, '.tmp/dev/nexu-home/logs'), { recursive: true });
  writeFileSync(join(root, '.tmp/dev/nexu-home/logs/web.log'), 'web ready\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // stdin is not a terminal here (a pipe), like in CI.
  const child = spawn(tsx, [script, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

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
