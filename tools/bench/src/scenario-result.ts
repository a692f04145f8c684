/** Who a row measures: our orchestrator, a tool people use instead, or a lower bound nothing can beat. */
export type ToolRole = 'ours' | 'peer' | 'floor';

/** One tool's raw samples in one scenario. */
export interface ScenarioRow {
  /** Shown name, e.g. `ours (systemd)`, `pm2 --watch`, `node -e 0`. */
  readonly tool: string;
  readonly role: ToolRole;
  /** Raw samples in the scenario's unit; empty when the tool cannot do the scenario or failed. */
  readonly samples: readonly number[];
  /** Why there are no samples (`n/a: no re-attach`), or a remark on the samples. */
  readonly note?: string;
  /** Runs that did not produce a sample (deadline, crash): never silently dropped. */
  readonly failures?: number;
}

/** The result of one scenario: a table of rows sharing one unit. */
export interface ScenarioResult {
  /** Stable key, e.g. `cold-start` (used in the JSON output). */
  readonly id: string;
  /** Heading, e.g. `1. Cold start: nothing running -> all three healthy`. */
  readonly title: string;
  /** Short name in the headline table (default: the title up to its colon). */
  readonly label?: string;
  /** Unit of every sample, e.g. `ms`, `MB`, `CPU ms`. */
  readonly unit: string;
  readonly rows: readonly ScenarioRow[];
  /** Floor row the `ours / floor` ratio uses (default: the lowest-median floor). */
  readonly ratioFloor?: string;
  /** What exactly was measured, printed under the table. */
  readonly notes?: readonly string[];
}
