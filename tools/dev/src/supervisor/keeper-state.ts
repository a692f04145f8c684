// What the process backend (process.ts) asks of its checkout's keeper (keeper.ts), and what the
// keeper reports back.
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
  /**
   * The request (`KeeperRequest.generation`) the keeper last carried out for this service: a start
   * or restart once it launched the process, a stop once the process is gone. Null before any.
   */
  readonly generation?: string | null;
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

/**
 * What the process backend writes to `<unitsDir>/<label>.request.json` before it signals the keeper
 * (SIGHUP): whether the service should run, and a new generation for every start, restart or stop
 * asked. The keeper carries out the latest request of each service and reports its generation.
 */
export interface KeeperRequest {
  readonly version: 1;
  readonly run: boolean;
  readonly generation: string;
}
