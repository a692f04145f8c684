import type { ServiceName } from '../services/manifest.js';
import type { BuildError } from './build-result.js';

/**
 * What a reload unit is doing, as data: the terminal gets lines through `log`, the dashboard gets
 * these (through the dev status file). `what` names the part that builds: `controller`,
 * `web server`, `web client`.
 */
export type ReloadEvent =
  | { readonly kind: 'building'; readonly service: ServiceName; readonly what: string }
  /** The build failed; the previous build keeps serving. */
  | {
      readonly kind: 'build-failed';
      readonly service: ServiceName;
      readonly what: string;
      readonly errors: readonly BuildError[];
    }
  /** The build succeeded and nothing needs to restart or reload (its output did not change). */
  | { readonly kind: 'built'; readonly service: ServiceName; readonly what: string }
  /** The build succeeded; the service restarts on it. */
  | { readonly kind: 'restarting'; readonly service: ServiceName; readonly what: string }
  /** The new build serves: the service answers again, or open pages reload on the new bundle. */
  | {
      readonly kind: 'reloaded';
      readonly service: ServiceName;
      readonly what: string;
      /** From the start of the build to serving. */
      readonly durationMs: number;
    }
  | {
      readonly kind: 'reload-failed';
      readonly service: ServiceName;
      readonly what: string;
      readonly message: string;
    };
