import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../os/process-identity.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { spawnCli } from '../test-support/spawn-cli.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';

const backends: BackendName[] = ['process', 'systemd', 'launchd'];

interface DetachedJson {
  readonly backend: string;
  readonly services: ReadonlyArray<{ name: string; url: string; pid: number; mode: string }>;
  readonly watching: { pid: number; background: boolean } | null;
}

describe.each(backends)('pnpm start --detach on the %s backend', { timeout: 120_000 }, (backend) => {
  const checkouts = useBackendCheckouts(backend);

  it('returns once ready, a saved edit is served with no foreground process, and pnpm stop ends the background session', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    let watcherPid: number | undefined;
    try {
      const started = await spawnCli('start', ['--detach', '--json', '--backend', backend], {
        cwd: checkout.root,
      }).done;
      expect(started.code).toBe(0);
      const json = JSON.parse(started.stdout) as DetachedJson;
      expect(json.backend).toBe(backend);
      expect(json.services.map((s) => [s.name, s.mode])).toEqual([
        ['gateway', 'started'],
        ['controller', 'started'],
        ['web', 'started'],
      ]);
      for (const s of json.services) {
        expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const health = (await (await fetch(`${s.url}/health`)).json()) as { pid: number };
        expect(health.pid).toBe(s.pid);
      }
      expect(json.watching?.background).toBe(true);
      watcherPid = json.watching!.pid;
      expect(isProcessAlive(watcherPid)).toBe(true);

      const status = await spawnCli('status', [], { cwd: checkout.root }).done;
      expect(status.stdout).toContain(`watching (background, pid ${watcherPid})`);
      const statusJson = JSON.parse(
        (await spawnCli('status', ['--json'], { cwd: checkout.root }).done).stdout,
      );
      expect(statusJson.watching).toEqual({ pid: watcherPid, background: true });

      // The command has exited: only the background session can reload the controller.
      const controller = json.services.find((s) => s.name === 'controller')!;
      await writeFile(join(checkout.root, 'apps/controller/src/revision.ts'), 'export const REVISION = 2;\n');
      const served = await waitFor(
        async () => {
          const runtime = await fetch(`${controller.url}/api/runtime`)
            .then((res) => res.json() as Promise<{ revision: number; pid: number }>)
            .catch(() => undefined);
          return runtime?.revision === 2 ? runtime : undefined;
        },
        { timeoutMs: 45_000 },
      );
      expect(served.ok).toBe(true);
      expect(served.ok && served.value.pid).not.toBe(controller.pid);
      const logs = await spawnCli('logs', ['watch', '--no-follow', '--grep', 'reloaded in'], {
        cwd: checkout.root,
      }).done;
      expect(logs.stdout).toMatch(/^watch \| controller \| controller reloaded in \d+ ms/m);

      // A foreground start attaches to the background session instead of watching twice.
      const foreground = spawnCli('start', ['--backend', backend], { cwd: checkout.root });
      const attached = await waitFor(
        () => foreground.output.stdout.includes(`Already watching this checkout: pid ${watcherPid}`),
        { timeoutMs: 30_000 },
      );
      process.kill(-foreground.child.pid!, 'SIGINT');
      expect((await foreground.done).code).toBe(0);
      expect(attached.ok).toBe(true);

      const stopped = await spawnCli('stop', [], { cwd: checkout.root }).done;
      expect(stopped.code).toBe(0);
      expect(isProcessAlive(watcherPid)).toBe(false);
      expect(await findMarkedProcesses(checkout.id)).toEqual([]);
      const after = await spawnCli('status', [], { cwd: checkout.root }).done;
      expect(after.stdout).toContain('not watching');
    } finally {
      if (watcherPid !== undefined && isProcessAlive(watcherPid)) process.kill(-watcherPid, 'SIGKILL');
    }
  });

  it('reset-state ends the background session too', async (ctx) => {
    if (!checkouts.available()) ctx.skip();
    const checkout = checkouts.open();
    let watcherPid: number | undefined;
    try {
      const started = await spawnCli('start', ['gateway', '--detach', '--json', '--backend', backend], {
        cwd: checkout.root,
      }).done;
      expect(started.code).toBe(0);
      watcherPid = (JSON.parse(started.stdout) as DetachedJson).watching!.pid;
      const reset = await spawnCli('reset-state', ['--yes'], { cwd: checkout.root }).done;
      expect(reset.code).toBe(0);
      expect(isProcessAlive(watcherPid)).toBe(false);
    } finally {
      if (watcherPid !== undefined && isProcessAlive(watcherPid)) process.kill(-watcherPid, 'SIGKILL');
    }
  });
});
