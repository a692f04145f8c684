import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findRepoRoot, SERVICE_NAMES, type ServicePorts } from '@nexu/dev';
import { waitFor } from '@nexu/service-kit';
import type { BenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import { findPidsWithInstance, readCommandLine, readParentPid } from './process-tree.js';
import { type SpawnedGroup, spawnGroup } from './spawn-group.js';
import type { RunningTool, ToolDriver } from './tool-driver.js';

const run = promisify(execFile);

/** Environment of our commands: the bench's own, plus the backend's (XDG_RUNTIME_DIR is inherited). */
const commandEnv = (extra: Readonly<Record<string, string>> = {}) => ({
  ...process.env,
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  ...extra,
});

/** argv of one of our commands, as `pnpm <name>` runs it (`node tools/dev/bin/nexu-dev.mjs <name>`), minus pnpm itself. */
export function ourCommand(
  name: 'start' | 'stop' | 'status' | 'logs' | 'reset-state' | 'doctor',
  ...args: string[]
): string[] {
  return [
    process.execPath,
    join(findRepoRoot(import.meta.dirname), 'tools', 'dev', 'bin', 'nexu-dev.mjs'),
    name,
    ...args,
  ];
}

/** Runs one of our commands in the bench checkout; resolves with what it printed on stdout. */
async function runOursIn(
  bench: BenchCheckout,
  argv: string[],
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  try {
    const { stdout } = await run(argv[0] as string, argv.slice(1), {
      cwd: bench.checkout.root,
      env: commandEnv(env),
      timeout: 120_000,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${argv.slice(2).join(' ')} failed: ${tail || e.message}`);
  }
}

interface LedgerView {
  readonly ports: ServicePorts;
  readonly complete: boolean;
}

function readLedgerPorts(bench: BenchCheckout): LedgerView | undefined {
  try {
    const ledger = JSON.parse(readFileSync(bench.checkout.ledgerPath, 'utf8')) as {
      services: Record<string, { port: number }>;
    };
    const ports = Object.fromEntries(SERVICE_NAMES.map((n) => [n, ledger.services[n]?.port ?? 0]));
    return { ports: ports as ServicePorts, complete: SERVICE_NAMES.every((n) => ledger.services[n]?.port) };
  } catch {
    return undefined;
  }
}

/**
 * The services of a checkout (by their instance marker) and the process backend's keepers (their
 * parents, which carry no marker); under systemd the parent is the user manager, not counted.
 */
async function findOurProcesses(bench: BenchCheckout): Promise<number[]> {
  const services = await findPidsWithInstance(bench.checkout.id);
  const keepers: number[] = [];
  for (const pid of services) {
    const parent = await readParentPid(pid);
    if (parent && parent > 1 && (await readCommandLine(parent)).includes('keeper.mjs')) keepers.push(parent);
  }
  return [...new Set([...services, ...keepers])];
}

/**
 * Ours on one backend, run the way a developer does, in the bench checkout: the start entry point
 * (`--no-watch` for the lifecycle scenarios; watching for hot reload and idle), stop for teardown.
 */
export function createOurDriver(
  backend: string,
  simulated?: { readonly env: Readonly<Record<string, string>> },
): ToolDriver {
  const env = simulated?.env ?? {};
  const runOurs = (bench: BenchCheckout, argv: string[]) => runOursIn(bench, argv, env);
  return {
    name: simulated ? `ours (${backend}, simulated)` : `ours (${backend})`,
    role: 'ours',
    watch: true,
    watchedDir: 'src',
    async start(bench, options, cleanup: CleanupRegistry): Promise<RunningTool> {
      const stop = () => runOurs(bench, ourCommand('stop')).then(() => undefined);
      cleanup.add(`pnpm stop in ${bench.checkout.root}`, () => stop().catch(() => undefined));
      let session: SpawnedGroup | undefined;
      let startOutput: string | undefined;
      if (!options.watch) {
        startOutput = await runOurs(bench, ourCommand('start', '--no-watch', '--backend', backend));
      } else {
        session = spawnGroup(ourCommand('start', '--backend', backend), {
          cwd: bench.checkout.root,
          env: commandEnv(env),
          logPath: join(bench.scratch, 'start.log'),
          cleanup,
        });
        let exited = false;
        void session.exited.then(() => {
          exited = true;
        });
        // The ledger is written once every service is up; the session keeps watching after that.
        const ready = await waitFor(() => exited || readLedgerPorts(bench)?.complete, { timeoutMs: 60_000 });
        if (!ready.ok || exited) {
          const log = readFileSync(join(bench.scratch, 'start.log'), 'utf8').trim().split('\n').slice(-3);
          throw new Error(`pnpm start (watching) did not come up: ${log.join(' | ')}`);
        }
      }
      const view = readLedgerPorts(bench);
      if (!view?.complete) throw new Error(`no complete ledger at ${bench.checkout.ledgerPath} after start`);
      cleanup.track({ ports: Object.values(view.ports) });
      return {
        ports: view.ports,
        instance: bench.checkout.id,
        ...(startOutput === undefined ? {} : { startOutput }),
        // Services run under the supervisor (keeper or systemd), not under the session: find them by marker.
        roots: async () => [...(session ? [session.pid] : []), ...(await findOurProcesses(bench))],
        reattach: () =>
          runOurs(bench, ourCommand('start', '--no-watch', '--backend', backend)).then(() => undefined),
        async teardown() {
          // Ctrl-C ends the watching session (services keep running), then `pnpm stop`.
          if (session) {
            session.signal('SIGINT');
            await session.exited;
          }
          await stop();
        },
        async dispose() {
          await session?.stop();
          await stop().catch(() => undefined);
        },
      };
    },
  };
}
