// What the process keeper (keeper.ts) reports and the process backend (process.ts) reads.
import type { LastExit } from './supervisor.js';

/** What the keeper writes to `<unitsDir>/<label>.json`. */
export interface KeeperState {
  readonly version: 1;
  readonly label: string;
  readonly keeper: { readonly pid: number; readonly startTime: string | null };
  readonly child: { readonly pid: number; readonly startTime: string | null } | null;
  readonly restarts: number;
  readonly lastExit: LastExit | null;
  readonly state: 'starting' | 'running' | 'stopped' | 'crashed';
  readonly reason: string | null;
  /** ISO time of the keeper's write (the newer of the two copies wins). */
  readonly updatedAt?: string | null;
}

/** What the keeper writes to `<registryDir>/<label>.json`: its state and whose service it runs. */
export interface RegistryEntry extends KeeperState {
  readonly service: string;
  readonly checkoutId: string;
  readonly unitPath: string;
  readonly statePath: string;
  /** NEXU_DEV_INSTANCE, NEXU_DEV_ROOT, NEXU_HOME, PORT of the unit. */
  readonly env: Readonly<Record<string, string>>;
}
