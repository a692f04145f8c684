import { execFile } from 'node:child_process';
import { constants } from 'node:os';

/** Exit code of a command killed by our timeout (what `timeout(1)` answers). */
export const COMMAND_TIMED_OUT = 124;
/** Exit code of a command that could not be run at all (what a shell answers when it is missing). */
export const COMMAND_NOT_FOUND = 127;

/** What one external command printed and how it ended. */
export interface CommandResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command after this many ms (default 30 s). */
  timeoutMs?: number;
}

/**
 * Runs an external command and returns its result without throwing on a non-zero exit.
 * Backends receive one of these so tests can substitute it and errors can carry the command.
 */
export type CommandRunner = (argv: readonly string[], options?: RunOptions) => Promise<CommandResult>;

/** A command that exited in a way the caller did not expect; carries the command, code and stderr. */
export class CommandError extends Error {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stderr: string;

  constructor(result: CommandResult, advice?: string) {
    const stderr = result.stderr.trim();
    super(
      `\`${result.argv.join(' ')}\` exited with ${result.exitCode}` +
        (stderr ? `: ${stderr}` : '') +
        (advice ? `\n  ${advice}` : ''),
    );
    this.name = 'CommandError';
    this.argv = result.argv;
    this.exitCode = result.exitCode;
    this.stderr = result.stderr;
  }
}

// execFile, not a shell: argv reaches the tool exactly as given, whatever the checkout path holds
// (spaces, quotes, %, non-ASCII).
export const runCommand: CommandRunner = (argv, options = {}) =>
  new Promise((resolve) => {
    const [file, ...args] = argv;
    if (!file) throw new Error('runCommand needs a command');
    execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 30_000,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        let exitCode = 0;
        if (error) {
          const failure = error as NodeJS.ErrnoException & {
            code?: unknown;
            killed?: boolean;
            signal?: string;
          };
          const timeoutMs = options.timeoutMs ?? 30_000;
          if (failure.killed && failure.signal) {
            // Killed by our timeout: say so, with the code `timeout(1)` uses.
            exitCode = COMMAND_TIMED_OUT;
            stderr = `${stderr}${stderr ? '\n' : ''}timed out after ${timeoutMs} ms (killed with ${failure.signal})`;
          } else if (typeof failure.code === 'number') {
            exitCode = failure.code;
          } else if (failure.signal) {
            exitCode = 128 + (constants.signals[failure.signal as NodeJS.Signals] ?? 0);
            stderr = `${stderr}${stderr ? '\n' : ''}killed by ${failure.signal}`;
          } else {
            // ENOENT and friends: the command itself is missing.
            exitCode = COMMAND_NOT_FOUND;
            if (!stderr) stderr = failure.message;
          }
        }
        resolve({ argv, exitCode, stdout, stderr });
      },
    );
  });

/** Runs `argv` and throws a CommandError unless it exits 0. */
export async function runChecked(
  runner: CommandRunner,
  argv: readonly string[],
  options?: RunOptions & { advice?: (result: CommandResult) => string | undefined },
): Promise<CommandResult> {
  const result = await runner(argv, options);
  if (result.exitCode !== 0) throw new CommandError(result, options?.advice?.(result));
  return result;
}
