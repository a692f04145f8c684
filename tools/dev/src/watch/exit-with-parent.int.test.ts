import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../os/process-identity.js';

const guard = fileURLToPath(new URL('../../bin/exit-with-parent.cjs', import.meta.url));

describe('exit-with-parent preload', () => {
  it('ends a detached helper once the process that started it is killed', async () => {
    // parent: starts a detached, long-running node with the guard, prints its pid, then idles.
    const parentScript = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['--require', ${JSON.stringify(guard)}, '-e', 'setInterval(() => {}, 1000)'],
        { detached: true, stdio: 'ignore', env: { ...process.env, NEXU_DEV_PARENT_PID: String(process.pid) } });
      console.log(child.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const helper = await new Promise<number>((resolve) =>
      parent.stdout!.once('data', (d) => resolve(Number(String(d)))),
    );
    expect(isProcessAlive(helper)).toBe(true);

    parent.kill('SIGKILL');
    const gone = await waitFor(async () => !isProcessAlive(helper), { timeoutMs: 10_000 });
    if (!gone.ok) process.kill(helper, 'SIGKILL');
    expect(gone.ok).toBe(true);
  });
});
