import type { Checkout } from '../checkout/checkout.js';
import type { LogLineFilter } from './scan-log.js';

/** What `pnpm logs` shows and how (the command, its `--grep`/`--since` search, the watch session's log pane). */
export interface LogsOptions {
  readonly checkout: Checkout;
  /** Services whose logs to show, in the order to show their first lines (already validated). */
  readonly services: readonly string[];
  /** Last lines of each log to show first. */
  readonly lines: number;
  /** Keep following appended lines until `signal` aborts; false: print and return. */
  readonly follow: boolean;
  /** Receives output text (whole lines, each ending in `\n`). */
  readonly out: (text: string) => void;
  /** Notes for the user (not log lines): where logs are, missing files, read errors. */
  readonly note?: (line: string) => void;
  /** Colour the service prefixes. */
  readonly colour?: boolean;
  /** Ends following (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Fallback poll interval of the follower in ms (default 250). */
  readonly pollIntervalMs?: number;
  /** Print a crash that repeats (a service crash-looping at start-up) once, with a count. */
  readonly foldCrashes?: boolean;
  /**
   * Only lines matching a pattern and/or written since a time (`--grep`, `--since`): all of those
   * in the logs (`lines` applies only when `linesGiven`), then the matching appended ones.
   */
  readonly filter?: LogLineFilter;
  /** `lines` was asked for (`--lines`): with a filter, the last `lines` matches of each log. */
  readonly linesGiven?: boolean;
}

export interface LogsReport {
  /** Log lines written to `out`. */
  readonly linesShown: number;
  /** Services whose log file did not exist when we started. */
  readonly missing: readonly string[];
}
