import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { terminateGroup } from '@nexu/dev';
import { benchServices, serviceEnv } from './bench-checkout.js';
import { allocateBenchPorts } from './bench-ports.js';
import { esbuildWatchArgv } from './esbuild-watch.js';
import { nodeCli } from './resolve-bin.js';
import { type SpawnedGroup, spawnGroup } from './spawn-group.js';
import type { ToolDriver } from './tool-driver.js';

const run = promisify(execFile);

/**
 * PM2 with an ecosystem file in a private PM2_HOME (its own daemon, never the user's): `pm2 start`
 * for a cold start and again for re-attach, `pm2 delete all` for teardown, `pm2 kill` at the end so
 * the daemon does not survive. In watch mode the apps have `watch: ['dist']` and an esbuild watcher
 * per service rebuilds dist.
 */
export function createPm2Driver(watch: boolean): ToolDriver {
  return {
    name: watch ? 'pm2 --watch (+ esbuild --watch)' : 'pm2 start (ecosystem)',
    role: 'peer',
    watch: watch ? true : { unsupported: 'n/a: see pm2 --watch' },
    watchedDir: 'dist',
    async start(bench, options, cleanup) {
      const ports = await allocateBenchPorts();
      const home = join(bench.scratch, 'pm2-home');
      mkdirSync(home, { recursive: true });
      const env = { ...process.env, PM2_HOME: home };
      const pm2 = (...args: string[]) =>
        run(nodeCli('pm2', 'bin/pm2')[0] as string, [...nodeCli('pm2', 'bin/pm2').slice(1), ...args], {
          env,
          cwd: bench.scratch,
          timeout: 60_000,
        });
      const daemonPid = () => {
        try {
          return Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim()) || undefined;
        } catch {
          return undefined;
        }
      };
      let disposed: Promise<void> | undefined;
      const dispose = () => {
        disposed ??= (async () => {
          const pid = daemonPid();
          await pm2('kill').catch(() => undefined);
          if (pid) await terminateGroup(pid, { graceMs: 2000 });
          await Promise.all(watchers.map((w) => w.stop()));
        })();
        return disposed;
      };
      cleanup.add(`pm2 kill (PM2_HOME=${home})`, dispose);
      cleanup.track({ ports: Object.values(ports) });

      const apps = benchServices(bench).map(({ spec, dir }) => ({
        name: spec.name,
        script: join(dir, spec.entry),
        cwd: dir,
        interpreter: process.execPath,
        env: serviceEnv(spec, ports, bench),
        watch: options.watch && watch ? ['dist'] : false,
        autorestart: true,
      }));
      const ecosystem = join(bench.scratch, 'ecosystem.config.cjs');
      writeFileSync(ecosystem, `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`);
      const watchers: SpawnedGroup[] = [];
      if (options.watch && watch) {
        for (const { spec, dir } of benchServices(bench)) {
          watchers.push(
            spawnGroup(esbuildWatchArgv(spec, dir), {
              cwd: dir,
              env: serviceEnv(spec, ports, bench),
              logPath: join(bench.scratch, `esbuild-${spec.name}.log`),
              keepStdin: true,
              cleanup,
            }),
          );
        }
      }
      await pm2('start', ecosystem);
      const pid = daemonPid();
      if (pid) cleanup.track({ pids: [pid] });
      return {
        ports,
        instance: bench.instance,
        roots: async () => [...(daemonPid() ? [daemonPid() as number] : []), ...watchers.map((w) => w.pid)],
        survivors: async () => (daemonPid() ? [daemonPid() as number] : []),
        reattach: async () => {
          await pm2('start', ecosystem);
        },
        async teardown() {
          await pm2('delete', 'all');
        },
        dispose,
      };
    },
  };
}
