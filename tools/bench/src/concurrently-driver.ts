import { join } from 'node:path';
import { benchServices, serviceEnv } from './bench-checkout.js';
import { allocateBenchPorts } from './bench-ports.js';
import { nodeCli } from './resolve-bin.js';
import { spawnGroup } from './spawn-group.js';
import type { ToolDriver } from './tool-driver.js';

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** `concurrently` running the three built services in the foreground; teardown is Ctrl-C. */
export const concurrentlyDriver: ToolDriver = {
  name: 'concurrently',
  role: 'peer',
  watch: { unsupported: 'n/a: no restart on change' },
  watchedDir: 'dist',
  async start(bench, _options, cleanup) {
    const ports = await allocateBenchPorts();
    const services = benchServices(bench);
    // Each command carries its own environment (concurrently shares one env among commands).
    const commands = services.map(({ spec, dir }) => {
      const env = Object.entries(serviceEnv(spec, ports, bench))
        .map(([key, value]) => `${key}=${quote(value)}`)
        .join(' ');
      return `cd ${quote(dir)} && exec env ${env} ${quote(process.execPath)} dist/main.js`;
    });
    const group = spawnGroup([...nodeCli('concurrently', 'dist/bin/index.js'), '--raw', ...commands], {
      cwd: bench.checkout.root,
      env: process.env,
      logPath: join(bench.scratch, 'concurrently.log'),
      cleanup,
    });
    cleanup.track({ ports: Object.values(ports) });
    return {
      ports,
      instance: bench.instance,
      roots: async () => [group.pid],
      reattachNote: 'n/a: no re-attach (foreground)',
      async teardown() {
        group.signal('SIGINT');
      },
      dispose: () => group.stop(),
    };
  },
};
