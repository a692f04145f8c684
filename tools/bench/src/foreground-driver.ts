import { join } from 'node:path';
import type { ServiceSpec } from '@nexu/dev';
import { type BenchCheckout, benchServices, serviceEnv } from './bench-checkout.js';
import { allocateBenchPorts } from './bench-ports.js';
import { esbuildWatchArgv } from './esbuild-watch.js';
import type { ScenarioRow } from './scenario-result.js';
import { type SpawnedGroup, spawnGroup } from './spawn-group.js';
import type { RunningTool, ToolDriver } from './tool-driver.js';

/** A tool run in the foreground, one process per service (nodemon, tsx watch, node --watch, node). */
export interface ForegroundToolOptions {
  readonly name: string;
  readonly role: ScenarioRow['role'];
  readonly watch: ToolDriver['watch'];
  readonly watchedDir: ToolDriver['watchedDir'];
  /** Runs the built `dist/`: in watch mode an `esbuild --watch` per service rebuilds it. */
  readonly runsDist: boolean;
  /** Command line of one service, run in its folder. */
  argv(spec: ServiceSpec, serviceDir: string): string[];
}

/** A driver that spawns one process group per service; teardown is Ctrl-C (SIGINT to every group). */
export function createForegroundDriver(tool: ForegroundToolOptions): ToolDriver {
  return {
    name: tool.name,
    role: tool.role,
    watch: tool.watch,
    watchedDir: tool.watchedDir,
    async start(bench: BenchCheckout, options, cleanup): Promise<RunningTool> {
      const ports = await allocateBenchPorts();
      const groups: SpawnedGroup[] = [];
      for (const { spec, dir } of benchServices(bench)) {
        const env = serviceEnv(spec, ports, bench);
        const logPath = join(bench.scratch, `${spec.name}.log`);
        if (options.watch && tool.runsDist) {
          groups.push(
            spawnGroup(esbuildWatchArgv(spec, dir), { cwd: dir, env, logPath, keepStdin: true, cleanup }),
          );
        }
        groups.push(spawnGroup(tool.argv(spec, dir), { cwd: dir, env, logPath, cleanup }));
      }
      cleanup.track({ ports: Object.values(ports) });
      return {
        ports,
        instance: bench.instance,
        roots: async () => groups.map((g) => g.pid),
        reattachNote: 'n/a: no re-attach (foreground)',
        async teardown() {
          for (const group of groups) group.signal('SIGINT');
        },
        async dispose() {
          await Promise.all(groups.map((g) => g.stop()));
        },
      };
    },
  };
}

/** Floor for cold start and teardown: `node dist/main.js` per service, nothing around it. */
export const bareNodeDriver = createForegroundDriver({
  name: 'node dist/main.js x3 (bare)',
  role: 'floor',
  watch: { unsupported: 'n/a: floor' },
  watchedDir: 'dist',
  runsDist: true,
  argv: (_spec, dir) => [process.execPath, join(dir, 'dist/main.js')],
});
