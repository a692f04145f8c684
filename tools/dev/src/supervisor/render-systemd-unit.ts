import { type CrashLoopPolicy, DEFAULT_CRASH_LOOP, EXIT_CONFIG } from './crash-loop.js';
import { type CrashLoopGuard, guardedArgv, guardedEnv } from './crash-loop-guard.js';
import type { UnitSpec } from './supervisor.js';
import type { UnitFields } from './unit-drift.js';
import { STOP_GRACE_SECONDS, sortedEnv } from './unit-policy.js';

/** systemd unit name of a label: `io.nexu.gateway.ab12cd34.dev.service` (dots are fine). */
export function systemdUnitName(label: string): string {
  return `${label}.service`;
}

const C_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// Inside double quotes systemd C-unescapes (\\ \" \n ...) and, in every value, expands specifiers
// (% -> %%). ExecStart also expands $VAR / ${VAR}, so a literal $ is written $$.
const quoteWord = (text: string, extra: Record<string, string>) =>
  `"${text.replace(/[\\"\n\r\t%$]/g, (ch) => extra[ch] ?? C_ESCAPES[ch] ?? ch)}"`;

/** One ExecStart= argument, always double-quoted: `\` `"` escaped, `%` -> `%%`, `$` -> `$$`. */
export function quoteExecArg(arg: string): string {
  return quoteWord(arg, { '%': '%%', $: '$$' });
}

/** One `Environment=` value: the whole `KEY=value` quoted; `$` is literal there (no expansion). */
export function quoteEnvironment(key: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    throw new Error(`Environment variable name ${JSON.stringify(key)} is not valid for systemd`);
  }
  return quoteWord(`${key}=${value}`, { '%': '%%' });
}

const C_UNESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', r: '\r', t: '\t' };

/** The environment of a unit rendered by `renderSystemdUnit`: its `Environment=` lines unquoted. */
export function systemdUnitEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('Environment="') || !line.endsWith('"')) continue;
    const assignment = line
      .slice('Environment="'.length, -1)
      .replace(/\\(.)|%%/g, (all, ch: string | undefined) =>
        ch === undefined ? '%' : (C_UNESCAPES[ch] ?? all),
      );
    const eq = assignment.indexOf('=');
    if (eq > 0) env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  return env;
}

/**
 * A path in a setting that systemd does not unquote (WorkingDirectory=, StandardOutput=append:):
 * the rest of the line is taken as is, so spaces and backslashes stay literal; only `%` doubles.
 */
export function escapeUnquotedPath(path: string): string {
  if (/[\n\r]/.test(path)) throw new Error(`Path ${JSON.stringify(path)} contains a line break`);
  return path.replace(/%/g, '%%');
}

/**
 * Variables a user manager sets itself for every service (systemd.exec(5), "Environment Variables
 * Set or Propagated by the Service Manager"; seen on systemd 252: MANAGERPID, INVOCATION_ID,
 * SYSTEMD_EXEC_PID beside the manager's own block).
 */
export const SYSTEMD_SERVICE_ENV = [
  'HOME',
  'INVOCATION_ID',
  'JOURNAL_STREAM',
  'LOGNAME',
  'MANAGERPID',
  'SHELL',
  'SYSTEMD_EXEC_PID',
  'USER',
] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `UnsetEnvironment=` of a unit whose environment is `env`: every variable the manager would hand
 * the service (its own block, `managerEnv`, and what it sets itself) that the unit does not set, so
 * the service gets exactly its unit's environment, whatever the manager holds.
 */
export function unsetEnvironmentNames(
  env: Readonly<Record<string, string>>,
  managerEnv: readonly string[],
): string[] {
  const names = new Set([...managerEnv, ...SYSTEMD_SERVICE_ENV].filter((name) => ENV_NAME.test(name)));
  return [...names].filter((name) => !Object.hasOwn(env, name)).sort();
}

/** The variable names of `systemctl --user show-environment` output (`NAME=value` lines). */
export function parseEnvironmentNames(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const name = line.slice(0, line.indexOf('='));
    return line.includes('=') && ENV_NAME.test(name) ? [name] : [];
  });
}

/** The names of a rendered unit's `UnsetEnvironment=` line. */
export function systemdUnsetNames(text: string): string[] {
  return /^UnsetEnvironment=(.*)$/m.exec(text)?.[1]?.split(' ').filter(Boolean) ?? [];
}

/** The node an installed unit runs (ExecStart's first word, unquoted); null when it has none. */
export function systemdUnitNode(text: string): string | null {
  const word = /^ExecStart="((?:[^"\\]|\\.)*)"/m.exec(text)?.[1];
  if (word === undefined) return null;
  return word.replace(/\\(.)|%%|\$\$/g, (all, ch: string | undefined) =>
    ch === undefined ? all[0]! : (C_UNESCAPES[ch] ?? all),
  );
}

/** systemd's start limit, as a multiple of the guard's: a backstop that hot reloads seldom reach. */
const START_LIMIT_BACKSTOP_FACTOR = 4;

/** The `StartLimitBurst=` and `StartLimitIntervalSec=` of a unit rendered for `crashLoop`. */
export function systemdStartLimit(crashLoop: CrashLoopPolicy): { burst: number; intervalSec: number } {
  return {
    burst: crashLoop.maxStarts * START_LIMIT_BACKSTOP_FACTOR,
    intervalSec: Math.max(1, Math.round(crashLoop.windowMs / 1000)),
  };
}

/**
 * Renders the systemd --user service unit of `unit` (pure: same input, same text). With a `guard`
 * the crash-loop guard is preloaded into the service: systemd's own start limit stays as a
 * backstop, but it is forgotten at every daemon-reload (docs/platform.md). `managerEnv`: the
 * names of the user manager's environment block, none of which reaches the service unless the
 * unit sets it (see `unsetEnvironmentNames`).
 */
export function renderSystemdUnit(
  unit: UnitSpec,
  crashLoop: CrashLoopPolicy = DEFAULT_CRASH_LOOP,
  guard?: CrashLoopGuard,
  managerEnv: readonly string[] = [],
): string {
  if (unit.argv.length === 0) throw new Error(`Unit ${unit.label} has an empty argv`);
  const argv = guard ? guardedArgv(unit.argv, guard) : unit.argv;
  const fullEnv = guard ? guardedEnv(unit.env, guard) : unit.env;
  const env = Object.entries(sortedEnv(fullEnv)).map(
    ([key, value]) => `Environment=${quoteEnvironment(key, value)}`,
  );
  const unset = unsetEnvironmentNames(fullEnv, managerEnv);
  const log = escapeUnquotedPath(unit.logPath);
  const startLimit = systemdStartLimit(crashLoop);
  return [
    '[Unit]',
    `Description=${escapeUnquotedPath(`nexu dev ${unit.service} (${unit.label})`)}`,
    // Backstop behind the guard (which a daemon-reload cannot reset): more than Burst starts in the
    // interval -> failed. It counts explicit restarts too, so it sits well above the guard's limit.
    `StartLimitIntervalSec=${startLimit.intervalSec}s`,
    `StartLimitBurst=${startLimit.burst}`,
    '',
    '[Service]',
    // exec: `systemctl start` fails at once when the binary cannot be executed.
    'Type=exec',
    `ExecStart=${argv.map(quoteExecArg).join(' ')}`,
    `WorkingDirectory=${escapeUnquotedPath(unit.cwd)}`,
    ...env,
    // Applied last: removes what the manager hands every unit (systemd.exec(5), UnsetEnvironment=).
    ...(unset.length > 0 ? [`UnsetEnvironment=${unset.join(' ')}`] : []),
    'Restart=on-failure',
    'RestartSec=200ms',
    `RestartPreventExitStatus=${EXIT_CONFIG}`,
    `TimeoutStopSec=${STOP_GRACE_SECONDS}s`,
    'KillMode=control-group',
    `StandardOutput=append:${log}`,
    `StandardError=append:${log}`,
    '',
  ].join('\n');
}

/**
 * The settings of a unit file rendered by `renderSystemdUnit`, for telling what changed: `argv`
 * (ExecStart), `cwd`, `log`, `env.<NAME>` per Environment= line, other keys by their own name.
 */
export function systemdUnitFields(text: string): UnitFields {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0 || line.startsWith('#')) continue;
    const key = line.slice(0, at);
    const value = line.slice(at + 1);
    if (key === 'Environment') {
      const assignment = value.replace(/^"|"$/g, '');
      const eq = assignment.indexOf('=');
      fields[`env.${assignment.slice(0, eq)}`] = assignment.slice(eq + 1);
    } else {
      fields[SYSTEMD_FIELD_NAMES[key] ?? key] = value;
    }
  }
  return fields;
}

const SYSTEMD_FIELD_NAMES: Readonly<Record<string, string>> = {
  ExecStart: 'argv',
  WorkingDirectory: 'cwd',
  StandardOutput: 'log',
  StandardError: 'log',
  UnsetEnvironment: 'manager environment',
};
