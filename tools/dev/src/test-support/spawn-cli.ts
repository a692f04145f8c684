import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { findRepoRoot } from '../checkout/checkout.js';

/** What a finished command printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running command: its process, the output so far, and its end. */
export interface SpawnedCli {
  readonly child: ChildProcess;
  /** Output so far (grows while it runs). */
  readonly output: { stdout: string; stderr: string };
  readonly done: Promise<CliResult>;
}

const repoRoot = findRepoRoot(import.meta.dirname);

/**
 * Runs a nexu dev command (`start`, `status`, ...) in `cwd` as `pnpm <command>` runs it (the built
 * CLI on plain node), colour off, stdin not a terminal; the child leads its own process group
 * (tests signal it as Ctrl-C would).
 */
export function spawnCli(
  command: string,
  args: readonly string[],
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    /** The node binary (by any path) that runs the command; default this one. */
    node?: string;
    /** Run the CLI of this checkout (a temp checkout made with `cli`), built there, instead of ours. */
    ownCli?: string;
  },
): SpawnedCli {
  const runner = join(options.ownCli ?? repoRoot, 'tools', 'dev', 'bin', 'nexu-dev.mjs');
  const child = spawn(options.node ?? process.execPath, [runner, command, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end();
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, ...output })));
  return { child, output, done };
}

const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * Runs a nexu dev command under a real terminal (a pseudo-terminal from util-linux `script`) of
 * `columns` x 40, as a person at a terminal runs it: stdin and stdout are TTYs, `input` is typed
 * once the command is under way. The output is the terminal's (stdout and stderr together, CRLF
 * line ends turned into LF).
 */
export function spawnCliInTerminal(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; columns?: number; input?: string },
): Promise<{ code: number | null; output: string }> {
  const argv = [
    process.execPath,
    join(repoRoot, 'tools', 'dev', 'bin', 'nexu-dev.mjs'),
    command,
    ...args,
  ].map(shellQuote);
  const line = `stty cols ${options.columns ?? 80} rows 40; exec ${argv.join(' ')}`;
  const child = spawn('script', ['-qefc', line, '/dev/null'], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (options.input !== undefined && /\[y\/N\]/.test(output) && !typed) {
      typed = true;
      child.stdin?.write(options.input);
    }
  };
  let typed = false;
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      child.stdin?.destroy();
      resolve({ code, output: output.replaceAll('\r\n', '\n') });
    }),
  );
}
