import { concurrentlyDriver } from './concurrently-driver.js';
import { bareNodeDriver } from './foreground-driver.js';
import { createOurDriver } from './our-driver.js';
import { nodemonDriver, nodeWatchDriver, tsxWatchDriver } from './peer-drivers.js';
import { createPm2Driver } from './pm2-driver.js';
import type { SimulatedBackend } from './simulated-launchd.js';
import type { ToolDriver } from './tool-driver.js';

/** The tools each scenario compares: ours on every backend measured, then the peers, then floors. */
export interface BenchDrivers {
  readonly lifecycle: readonly ToolDriver[];
  readonly watching: readonly ToolDriver[];
  readonly scale: readonly ToolDriver[];
}

/** Drivers for a run on `backends`; `simulated` backends (launchd through the fake) join the lifecycle only. */
export function resolveBenchDrivers(
  backends: readonly string[],
  simulated: readonly SimulatedBackend[] = [],
): BenchDrivers {
  const ours = backends.map((backend) => createOurDriver(backend));
  return {
    lifecycle: [
      ...ours,
      ...simulated.map(({ backend, env }) => createOurDriver(backend, { env })),
      concurrentlyDriver,
      createPm2Driver(false),
      nodemonDriver,
      tsxWatchDriver,
      nodeWatchDriver,
      bareNodeDriver,
    ],
    watching: [
      ...ours,
      tsxWatchDriver,
      nodeWatchDriver,
      nodemonDriver,
      createPm2Driver(true),
      concurrentlyDriver,
    ],
    scale: [...ours, concurrentlyDriver],
  };
}
