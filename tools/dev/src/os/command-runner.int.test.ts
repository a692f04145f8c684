import { describe, expect, it } from 'vitest';
import { CommandError, runChecked, runCommand } from './command-runner.js';

describe('runCommand', () => {
  it('passes argv untouched (no shell) and returns the exit code without throwing', async () => {
    const result = await runCommand([
      process.execPath,
      '-e',
      'console.log(process.argv[1]); process.exit(3)',
      'a "b" $HOME 100%',
    ]);
    expect(result).toMatchObject({ exitCode: 3, stdout: 'a "b" $HOME 100%\n' });
  });

  it('reports a missing command as 127', async () => {
    expect((await runCommand(['/nonexistent/tool'])).exitCode).toBe(127);
  });

  it('reports a timeout clearly', async () => {
    const result = await runCommand([process.execPath, '-e', 'setTimeout(() => {}, 10000)'], {
      timeoutMs: 200,
    });
    expect(result.exitCode).toBe(124);
    expect(result.stderr).toMatch(/timed out after 200 ms/);
  });

  it('runChecked throws a CommandError with the command, code, stderr and advice', async () => {
    const error = await runChecked(
      runCommand,
      [process.execPath, '-e', 'console.error("boom"); process.exit(5)'],
      {
        advice: (r) => (r.exitCode === 5 ? 'try again later' : undefined),
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).message).toMatch(/exited with 5: boom\n {2}try again later/);
  });
});
