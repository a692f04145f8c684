import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../tools/dev/src/health/wait-for.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const tsx = join(repoRoot, 'node_modules/.bin/tsx');
const script = join(repoRoot, 'scripts/logs.ts');

let root: string;
let children: ChildProcess[];

beforeEach(() => {
  // A checkout of its own: the script resolves the checkout from its working directory.
  root = mkdtempSync(join(tmpdir(), 'logs-cli-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), '');
  const logs = join(root, '.tmp/dev/nexu-home/logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'gateway.log'), 'gateway ready\n');
  writeFileSync(join(logs, 'controller.log'), 'controller ready\n');
  writeFileSync(join(logs, 'web.log'), 'web ready\n');
  children = [];
});

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function start(args: string[]) {
  const child = spawn(tsx, [script, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  const io = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => {
    io.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    io.stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, io, exit };
}

async function run(args: string[]) {
  const { io, exit } = start(args);
  return { code: await exit, ...io };
}

describe('pnpm logs', () => {
  it('prints every service log with its prefix and exits 0 with --no-follow', async () => {
    const result = await run(['--no-follow']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'gateway    | gateway ready\ncontroller | controller ready\nweb        | web ready\n',
    );
  });

  it('shows only the named service with --service', async () => {
    const result = await run(['--service', 'controller', '--no-follow', '--lines', '5']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('controller | controller ready\n');
  });

  it.each([
    [['--lines', '-3'], '--lines needs a whole number >= 0, got "-3"'],
    [['--lines', 'abc'], '--lines needs a whole number >= 0, got "abc"'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--service', 'api'], 'valid services are gateway, controller, web'],
  ])('exits 2 on %j with a clear message and a hint to --help', async (args, message) => {
    const result = await run([...args, '--no-follow']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('pnpm logs --help');
    expect(result.stdout).toBe('');
  });

  it('--help lists every flag', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--service NAME', '--lines N', '--no-follow', '--help'])
      expect(result.stdout).toContain(flag);
  });

  it('follows new lines until Ctrl-C, then exits 0', async () => {
    const { child, io, exit } = start(['--service', 'web']);
    expect((await waitFor(() => io.stderr.includes('Ctrl-C'), { timeoutMs: 20_000 })).ok).toBe(true);
    appendFileSync(join(root, '.tmp/dev/nexu-home/logs/web.log'), 'web got a request\n');
    expect((await waitFor(() => io.stdout.includes('web | web got a request\n'))).ok).toBe(true);
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(io.stdout).toBe('web | web ready\nweb | web got a request\n');
  });
});
