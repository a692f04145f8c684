import type { ServicePorts } from '@nexu/dev';
import type { BenchCheckout } from './bench-checkout.js';
import type { CleanupRegistry } from './cleanup-registry.js';
import type { ToolRole } from './scenario-result.js';

/** How a tool is started: plain (cold start, attach, teardown) or watching sources (hot reload, idle). */
export interface ToolStartOptions {
  readonly watch: boolean;
}

/** One way of running gateway, controller and web: ours on a backend, a peer, or a floor. */
export interface ToolDriver {
  /** Row label, e.g. `ours (systemd)`, `pm2 --watch + esbuild --watch`. */
  readonly name: string;
  readonly role: ToolRole;
  /** Whether the tool restarts a service when its code changes; else the reason it cannot. */
  readonly watch: true | { readonly unsupported: string };
  /**
   * Folder of the controller that the tool's file watcher watches (`src` or `dist`), where the
   * idle scenario puts its 20,000 extra files.
   */
  readonly watchedDir: 'src' | 'dist';
  /**
   * Starts all three services in `bench`; resolves once the tool's start command has returned (a
   * foreground tool: once spawned). Readiness is the caller's to measure.
   */
  start(bench: BenchCheckout, options: ToolStartOptions, cleanup: CleanupRegistry): Promise<RunningTool>;
}

/** A tool running the services of one bench checkout. */
export interface RunningTool {
  readonly ports: ServicePorts;
  /** `NEXU_DEV_INSTANCE` the services report at /health. */
  readonly instance: string;
  /** What the start command printed, when it returned (ours: its start report). */
  readonly startOutput?: string;
  /** Pids whose process trees make up the tool and its services (for CPU/RSS and teardown checks). */
  roots(): Promise<number[]>;
  /** Runs the start command again while everything runs; absent when the tool has no such thing. */
  readonly reattach?: () => Promise<void>;
  /** Why there is no `reattach` (shown in the table). */
  readonly reattachNote?: string;
  /** Pids meant to outlive `teardown` (the PM2 daemon until `pm2 kill`); not counted as left behind. */
  readonly survivors?: () => Promise<number[]>;
  /** The tool's own teardown (`pnpm stop`, `pm2 delete all`, Ctrl-C); resolves when it returned. */
  teardown(): Promise<void>;
  /** Stops whatever is left (daemons, watchers); idempotent. Always called, also after a failure. */
  dispose(): Promise<void>;
}
