import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempCheckout, type SpawnedCli, spawnCli, type TempCheckout } from '../test-support/index.js';

let temp: TempCheckout;
let root: string;
let running: SpawnedCli[];

beforeEach(() => {
  // A checkout of its own: the command resolves the checkout from its working directory.
  temp = createTempCheckout({ services: false });
  root = temp.checkout.root;
  const logs = temp.checkout.logsDir;
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'gateway.log'), 'gateway ready\n');
  writeFileSync(join(logs, 'controller.log'), 'controller ready\n');
  writeFileSync(join(logs, 'web.log'), 'web ready\n');
  running = [];
});

afterEach(() => {
  for (const { child } of running)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  temp.remove();
});

function start(args: string[]) {
  const cli = spawnCli('logs', args, { cwd: root });
  running.push(cli);
  return cli;
}

const run = (args: string[]) => start(args).done;

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
    const { child, output: io, done } = start(['--service', 'web']);
    expect((await waitFor(() => io.stderr.includes('Ctrl-C'), { timeoutMs: 20_000 })).ok).toBe(true);
    appendFileSync(join(root, '.tmp/dev/nexu-home/logs/web.log'), 'web got a request\n');
    expect((await waitFor(() => io.stdout.includes('web | web got a request\n'))).ok).toBe(true);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
    expect(io.stdout).toBe('web | web ready\nweb | web got a request\n');
  });
});
