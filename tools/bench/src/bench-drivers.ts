import { concurrentlyDriver } from './concurrently-driver.js';
import { bareNodeDriver } from './foreground-driver.js';
import { createOurDriver } from './our-driver.js';
import { nodemonDriver, nodeWatchDriver, tsxWatchDriver } from './peer-drivers.js';
import { createPm2Driver } from './pm2-driver.js';
import type { ToolDriver } from './tool-driver.js';

/** The tools each scenario compares: ours on every backend measured, then the peers, then floors. */
export interface BenchDrivers {
  readonly lifecycle: readonly ToolDriver[];
  readonly watching: readonly ToolDriver[];
  readonly scale: readonly ToolDriver[];
}

/** Drivers for a run on `backends`. */
export function resolveBenchDrivers(backends: readonly string[]): BenchDrivers {
  const ours = backends.map(createOurDriver);
  return {
    lifecycle: [
      ...ours,
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
