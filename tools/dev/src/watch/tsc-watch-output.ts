/** What one `tsc --watch` compilation found, in `file:line:col: error TSxxxx: message` form. */
export interface TypecheckReport {
  readonly errors: readonly string[];
}

/** Line-by-line reader of `tsc --watch --preserveWatchOutput --pretty false` output. */
export interface TscWatchOutput {
  push(line: string): void;
}

const FOUND = /\bFound (\d+) errors?\b/;
const STARTING = /Starting (incremental )?compilation/;
const LOCATED = /^(.+)\((\d+),(\d+)\): (error TS\d+: .*)$/;

/**
 * Turns tsc's watch output into one callback per compilation whose errors differ from the last
 * reported ones (the "Starting compilation" / "Watching for file changes" noise is dropped, and an
 * unrelated save does not reprint the same errors). A compilation that clears all errors after some
 * were reported calls back with an empty list.
 */
export function createTscWatchOutput(onReport: (report: TypecheckReport) => void): TscWatchOutput {
  let current: string[] = [];
  let lastKey = '';
  return {
    push(line) {
      if (STARTING.test(line)) {
        current = [];
        return;
      }
      const found = FOUND.exec(line);
      if (found) {
        const key = current.join('\n');
        if (key !== lastKey) onReport({ errors: current });
        lastKey = key;
        current = [];
        return;
      }
      const located = LOCATED.exec(line);
      if (located) current.push(`${located[1]}:${located[2]}:${located[3]}: ${located[4]}`);
      else if (line.startsWith('error TS')) current.push(line);
      else if (/^\s+\S/.test(line) && current.length > 0) current[current.length - 1] += `\n${line}`;
    },
  };
}
