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
  /** `node`: the node binary (by any path) that runs the command; default this one. */
  options: { cwd: string; env?: NodeJS.ProcessEnv; node?: string },
): SpawnedCli {
  const node = options.node ?? process.execPath;
  const child = spawn(node, [join(repoRoot, 'scripts', 'run.mjs'), command, ...args], {
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
