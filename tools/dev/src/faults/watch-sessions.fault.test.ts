import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { collectStatus } from '../commands/status.js';
import { processIdentity } from '../os/process-identity.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { isBackendAvailable } from '../test-support/backend-available.js';
import { type SpawnedCli, spawnCli } from '../test-support/spawn-cli.js';
import { FAULT_BACKENDS, listSystemdUnits, useFaultContext } from './fault-harness.js';

const CONTROLLER_REVISION = 'apps/controller/src/revision.ts';
const saveRevision = (checkout: Checkout, value: number) =>
  writeFile(join(checkout.root, CONTROLLER_REVISION), `export const REVISION = ${value};\n`);

/** Waits (deadline, not a timing assertion) until a command printed a line matching `pattern`. */
async function outputMatching(
  cli: SpawnedCli,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpExecArray> {
  const found = await waitFor(() => pattern.exec(cli.output.stdout) ?? undefined, {
    timeoutMs,
    maxIntervalMs: 100,
  });
  if (!found.ok) {
    throw new Error(
      `no output matching ${pattern}; stdout:\n${cli.output.stdout}\nstderr:\n${cli.output.stderr}`,
    );
  }
  return found.value;
}

/** Ctrl-C, as a terminal sends it to the command's process group; resolves with how it ended. */
function interrupt(cli: SpawnedCli) {
  process.kill(-cli.child.pid!, 'SIGINT');
  return cli.done;
}

/** The line every ending session prints once: one per way it ended. */
const ENDED = /^.*watching ends.*$/gm;

describe.each(FAULT_BACKENDS)(
  'watching sessions and commands from other terminals (%s backend)',
  (backend: BackendName) => {
    const ctx = useFaultContext(backend);
    const sessions: SpawnedCli[] = [];
    // Registered after the fault context, so it runs before the context stops the checkouts.
    afterEach(() => {
      for (const session of sessions.splice(0)) {
        try {
          process.kill(-session.child.pid!, 'SIGKILL');
        } catch {}
      }
    });

    /** `pnpm start` (watching) in the checkout, once it watches or attached. */
    async function watching(checkout: Checkout, expect: RegExp = /Watching for changes\./) {
      const session = spawnCli('start', ['--backend', backend], { cwd: checkout.root });
      sessions.push(session);
      await outputMatching(session, expect);
      return session;
    }

    it('pnpm stop in another terminal ends the session with one line and exit 0; a save during the stop restarts nothing', async (t) => {
      if (!ctx.available()) t.skip();
      const checkout = ctx.open();
      const session = await watching(checkout);
      const stop = spawnCli('stop', [], { cwd: checkout.root });
      await saveRevision(checkout, 2);
      expect((await stop.done).code).toBe(0);
      const ended = await session.done;
      expect(ended.code, ended.stderr).toBe(0);
      expect(ended.stdout.match(ENDED)).toEqual([
        expect.stringMatching(
          /^(`pnpm stop` stopped this checkout's services: watching ends\.|This checkout's ledger \(\.tmp\/dev\/runtime\.json\) was removed outside this session: watching ends .*)$/,
        ),
      ]);
      expect(ended.stdout).not.toMatch(/Unable to reload/);
      expect(await findMarkedProcesses(checkout.id)).toEqual([]);
      expect(listSystemdUnits(checkout.id)).toEqual([]);
      expect(await (await ctx.supervisor(checkout)).listInstalled(checkout.id)).toEqual([]);
    });

    it('pnpm reset-state in another terminal ends the session with one line and exit 0; the state folder stays gone', async (t) => {
      if (!ctx.available()) t.skip();
      const checkout = ctx.open();
      const session = await watching(checkout);
      const reset = await spawnCli('reset-state', ['--yes'], { cwd: checkout.root }).done;
      expect(reset.code, reset.stderr).toBe(0);
      const ended = await session.done;
      expect(ended.code, ended.stderr).toBe(0);
      expect(ended.stdout.match(ENDED)).toEqual([
        expect.stringMatching(
          /pnpm reset-state.*watching ends\.$|dev state \(\.tmp\/dev\) was deleted.*watching ends/,
        ),
      ]);
      await saveRevision(checkout, 2);
      expect(existsSync(checkout.stateDir)).toBe(false);
      expect(await findMarkedProcesses(checkout.id)).toEqual([]);
    });

    it('rm -rf .tmp/dev under a session ends it without naming a command; the next start replaces each service saying why, rewrites the units, and logs show up again', async (t) => {
      if (!ctx.available()) t.skip();
      const checkout = ctx.open();
      const session = await watching(checkout);
      // As a second `rm -rf` right after would: what runs may write a file into a folder being removed.
      rmSync(checkout.stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 10 });
      const ended = await session.done;
      expect(ended.code, ended.stderr).toBe(0);
      const [line] = ended.stdout.match(ENDED) ?? [];
      expect(line).toMatch(
        /^This checkout's dev state \(\.tmp\/dev\) was deleted outside this session: watching ends/,
      );
      expect(line).not.toMatch(/pnpm (reset-state|stop)\)/);

      const start = await spawnCli('start', ['--no-watch', '--backend', backend], { cwd: checkout.root })
        .done;
      expect(start.code, start.stderr).toBe(0);
      for (const name of ['gateway', 'controller', 'web']) {
        expect(start.stdout).toMatch(
          new RegExp(
            `^${name}: replacing on .*\\(its log file is gone: \\.tmp/dev was deleted while it ran\\)`,
            'm',
          ),
        );
        expect(
          readdirSync(checkout.unitsDir).some((file) =>
            file.startsWith(`io.nexu.${name}.${checkout.id}.dev.`),
          ),
        ).toBe(true);
      }
      const logs = await spawnCli('logs', ['--no-follow', '--lines', '50'], { cwd: checkout.root }).done;
      for (const name of ['gateway', 'controller', 'web']) {
        expect(logs.stdout).toMatch(new RegExp(`^${name} +\\| ${name} listening on`, 'm'));
      }
    });

    it('another pnpm start that moves the services to another backend is followed: the next save reloads them there', async (t) => {
      const other: BackendName = backend === 'systemd' ? 'process' : 'systemd';
      if (!ctx.available() || !(await isBackendAvailable(other))) t.skip();
      const checkout = ctx.open();
      const session = await watching(checkout);
      const moved = await spawnCli('start', ['--no-watch', '--backend', other], { cwd: checkout.root }).done;
      expect(moved.code, moved.stderr).toBe(0);
      await outputMatching(
        session,
        new RegExp(`Another pnpm start moved the services to the ${other} backend`),
      );

      await saveRevision(checkout, 2);
      await outputMatching(session, /controller reloaded in \d+ ms/);
      const { report } = await collectStatus({ checkout, backend: other });
      const controller = report.services.find((s) => s.name === 'controller')!;
      expect([controller.state, controller.healthy]).toEqual(['running', true]);
      const runtime = (await (await fetch(`${controller.url}/api/runtime`)).json()) as { revision: number };
      expect(runtime.revision).toBe(2);
      const ended = await interrupt(session);
      expect(ended.code, ended.stdout + ended.stderr).toBe(0);
    });

    it('a second watching pnpm start attaches: it names the watching pid, rebuilds nothing, and takes the watching over when that session ends', async (t) => {
      if (!ctx.available()) t.skip();
      const checkout = ctx.open();
      const first = await watching(checkout);
      const second = await watching(checkout, /Already watching this checkout: pid (\d+) /);
      const named = Number(/Already watching this checkout: pid (\d+) /.exec(second.output.stdout)![1]);
      const record = JSON.parse(readFileSync(checkout.watcherPath, 'utf8')) as { pid: number };
      expect(named).toBe(record.pid);
      // The watching pid is the first command's own process (tsx runs the script in a child of it).
      const parent = (await processIdentity(named))?.ppid;
      expect([named, parent]).toContain(first.child.pid);

      await saveRevision(checkout, 2);
      await outputMatching(first, /controller reloaded in \d+ ms/);
      // The second follows the logs: the restarted controller's first line reaches it too.
      const attachedAt = second.output.stdout.indexOf('Already watching');
      await waitFor(() => second.output.stdout.slice(attachedAt).includes('controller listening on'), {
        timeoutMs: 20_000,
      });
      expect(second.output.stdout).not.toMatch(/reloaded in|built in|Unable to/);
      expect(first.output.stdout.match(/controller reloaded in/g)).toHaveLength(1);

      const firstEnded = await interrupt(first);
      expect(firstEnded.code, firstEnded.stderr).toBe(0);
      await outputMatching(
        second,
        /The session that watched this checkout ended: this one watches and reloads now\./,
      );
      await saveRevision(checkout, 3);
      await outputMatching(second, /controller reloaded in \d+ ms/);
      const secondEnded = await interrupt(second);
      expect(secondEnded.code, secondEnded.stderr).toBe(0);
    });
  },
);
