import { constants } from 'node:os';

/** The fields of `launchctl print <domain>/<label>` the launchd backend uses. */
export interface LaunchctlPrint {
  /** `running`, `not running`, `spawn scheduled`, `xpcproxy`, `SIGTERMed`, ... (null when absent). */
  readonly state: string | null;
  /** The job's own pid (top-level `pid = N`), null when none runs. */
  readonly pid: number | null;
  /** Spawns since the job was loaded. */
  readonly runs: number;
  /** `last exit code`: a number, or null for `(never exited)`. */
  readonly lastExitCode: number | null;
  /** `last terminating signal` as a name (`SIGTERM`), or null. */
  readonly lastSignal: string | null;
  /** `last exit reason`, e.g. `OS_REASON_CODESIGNING` (launchd refused to launch it), or null. */
  readonly lastExitReason: string | null;
  /** `job state`, e.g. `spawn failed` or `running` (newer macOS only), or null. */
  readonly jobState: string | null;
  /** `immediate reason`: why the last spawn happened (`speculative`, `inefficient`, ...), not a verdict. */
  readonly immediateReason: string | null;
  /** The job's own `environment = { ... }` block (not inherited/default environment). */
  readonly environment: Readonly<Record<string, string>>;
}

const signalName = (number: number): string | null =>
  Object.entries(constants.signals).find(([, value]) => value === number)?.[0] ?? null;

/**
 * Parses `launchctl print` output, which Apple documents as "NOT API": fields are read by nesting
 * depth (counted from `{`/`}` lines, not from tabs), so nested blocks that carry their own
 * `pid = ` or `environment = {` lines are ignored. Returns null for "Could not find service".
 */
export function parseLaunchctlPrint(text: string): LaunchctlPrint | null {
  const fields = new Map<string, string>();
  const environment: Record<string, string> = {};
  let depth = 0;
  let inEnvironment = false;
  let sawHeader = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === '}') {
      depth -= 1;
      if (depth <= 1) inEnvironment = false;
      continue;
    }
    if (line.endsWith('{')) {
      if (depth === 0) sawHeader = true;
      if (depth === 1 && /^environment = \{$/.test(line)) inEnvironment = true;
      depth += 1;
      continue;
    }
    if (depth === 1) {
      const match = /^([^=]+?) = (.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined && !fields.has(match[1])) fields.set(match[1], match[2]);
    } else if (depth === 2 && inEnvironment) {
      const match = /^(.+?) => (.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) environment[match[1]] = match[2];
    }
  }
  if (!sawHeader) return null;
  const int = (value: string | undefined) => {
    const match = value === undefined ? null : /^-?\d+/.exec(value);
    return match ? Number(match[0]) : null;
  };
  const signal = int(fields.get('last terminating signal')?.split(':').pop()?.trim());
  return {
    state: fields.get('state') ?? null,
    pid: int(fields.get('pid')),
    runs: int(fields.get('runs')) ?? 0,
    // `0`, `78: EX_CONFIG`, `(never exited)`
    lastExitCode: int(fields.get('last exit code')),
    lastSignal: signal === null ? null : signalName(signal),
    lastExitReason: fields.get('last exit reason') ?? null,
    jobState: fields.get('job state') ?? null,
    immediateReason: fields.get('immediate reason') ?? null,
    environment,
  };
}

/** One line of the `services = {` block of `launchctl print <domain>`. */
export interface LaunchctlDomainService {
  readonly label: string;
  /** Its pid, or null when it does not run (the block shows 0). */
  readonly pid: number | null;
}

/**
 * The jobs `launchctl print gui/<uid>` lists in its top-level `services = {` block, one per line:
 * `<pid> <last exit or flags> <label>`, pid 0 when not running (docs/platform.md, "launchctl").
 */
export function parseLaunchctlDomainServices(text: string): LaunchctlDomainService[] {
  const services: LaunchctlDomainService[] = [];
  let depth = 0;
  let inServices = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === '}') {
      depth -= 1;
      if (depth <= 1) inServices = false;
      continue;
    }
    if (line.endsWith('{')) {
      if (depth === 1 && line === 'services = {') inServices = true;
      depth += 1;
      continue;
    }
    if (!inServices || depth !== 2) continue;
    const match = /^(\d+)\s+\S+\s+(\S+)$/.exec(line);
    if (match?.[1] && match[2]) services.push({ label: match[2], pid: Number(match[1]) || null });
  }
  return services;
}
