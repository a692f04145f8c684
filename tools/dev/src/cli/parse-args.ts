import { parseArgs as parseArgsStrict } from 'node:util';

/** One flag of a command. `name` in `CommandSpec.flags` is the long name without dashes. */
export type FlagSpec =
  | {
      readonly type: 'boolean';
      readonly description: string;
      /** One-letter alias (`-i`). */
      readonly short?: string;
      /** Default value; a boolean defaulting to `true` is shown (and turned off) as `--no-<name>`. */
      readonly default?: boolean;
    }
  | {
      readonly type: 'string';
      readonly description: string;
      /** Name of the value in the help text (`NAME`). */
      readonly valueName?: string;
      /** Repeatable: every occurrence is collected in order (default `[]`). */
      readonly multiple?: boolean;
      readonly default?: string;
    }
  | {
      readonly type: 'number';
      readonly description: string;
      readonly valueName?: string;
      /** Smallest accepted value (inclusive). */
      readonly min?: number;
      /** Accept whole numbers only. */
      readonly integer?: boolean;
      readonly default?: number;
    };

/** A command line: its usage line, a one-line summary, its flags. `--help`/`-h` is always added. */
export interface CommandSpec {
  /** What the user types, e.g. `pnpm logs`. */
  readonly name: string;
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Extra lines printed after the flags (examples, notes). */
  readonly notes?: readonly string[];
  /** Words after the command (`pnpm restart controller web`); absent: any word is an error. */
  readonly positionals?: { readonly valueName: string; readonly description: string };
}

type ValueOf<F> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'number' }
    ? F extends { default: number }
      ? number
      : number | undefined
    : F extends { multiple: true }
      ? string[]
      : F extends { default: string }
        ? string
        : string | undefined;

/** Parsed values of a command's flags, typed from its spec. */
export type FlagValues<S extends CommandSpec> = { -readonly [K in keyof S['flags']]: ValueOf<S['flags'][K]> };

export type ParseArgsResult<S extends CommandSpec> =
  | {
      readonly ok: true;
      readonly help: false;
      readonly values: FlagValues<S>;
      /** The words after the command, in order; only when the spec takes them. */
      readonly positionals?: readonly string[];
    }
  | { readonly ok: true; readonly help: true }
  | { readonly ok: false; readonly message: string };

const NEGATIVE_NUMBER = /^-\d/;

/**
 * Parses `args` strictly against `spec`: unknown flags, positionals, missing or malformed values
 * are errors (a result, not an exception). `--flag -3` is read as the value `-3` so that the
 * range check can name the problem instead of "ambiguous argument".
 */
export function parseArgs<S extends CommandSpec>(spec: S, args: readonly string[]): ParseArgsResult<S> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean' },
  };
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = {
      type: flag.type === 'boolean' ? 'boolean' : 'string',
      ...(flag.type === 'string' && flag.multiple ? { multiple: true } : {}),
      ...(flag.type === 'boolean' && flag.short ? { short: flag.short } : {}),
    };
  }
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const flag = arg.startsWith('--') ? spec.flags[arg.slice(2)] : undefined;
    if (flag && flag.type !== 'boolean' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg === '-h' ? '--help' : arg);
  }

  let raw: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgsStrict({
      args: joined,
      options,
      strict: true,
      allowPositionals: spec.positionals !== undefined,
      allowNegative: true,
    });
    raw = parsed.values as typeof raw;
    positionals = parsed.positionals;
  } catch (error) {
    return { ok: false, message: describeParseError(error as Error & { code?: string }) };
  }
  if (raw.help === true) return { ok: true, help: true };
  if (raw.help === false) return { ok: false, message: unknownOption('--no-help') };

  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value = raw[name];
    if (flag.type === 'boolean') {
      if (value === false && flag.default !== true)
        return { ok: false, message: unknownOption(`--no-${name}`) };
      values[name] = value ?? flag.default ?? false;
    } else if (flag.type === 'string') {
      values[name] = flag.multiple ? ((value as string[] | undefined) ?? []) : (value ?? flag.default);
    } else if (value === undefined) {
      values[name] = flag.default;
    } else {
      const parsed = validateNumber(name, flag, String(value));
      if (typeof parsed === 'string') return { ok: false, message: parsed };
      values[name] = parsed;
    }
  }
  return {
    ok: true,
    help: false,
    values: values as FlagValues<S>,
    ...(spec.positionals ? { positionals } : {}),
  };
}

/** The one wording of an unknown flag, quoted as node's own parser quotes it. */
function unknownOption(flag: string): string {
  return `Unknown option '${flag}'`;
}

// Decimal digits only, as a person writes a count: no `0x10`, `1e3`, `' 3'`, `+3` or `3.`.
const WHOLE_NUMBER = /^-?\d+$/;
const DECIMAL_NUMBER = /^-?\d+(\.\d+)?$/;

function validateNumber(name: string, flag: FlagSpec & { type: 'number' }, text: string): number | string {
  const kind = flag.integer ? 'a whole number' : 'a number';
  const range = flag.min === undefined ? '' : ` >= ${flag.min}`;
  const expected = `--${name} needs ${kind}${range}, got "${text}"`;
  if (!(flag.integer ? WHOLE_NUMBER : DECIMAL_NUMBER).test(text)) return expected;
  const value = Number(text);
  if (!Number.isSafeInteger(value) && flag.integer) return expected;
  if (!Number.isFinite(value)) return expected;
  if (flag.min !== undefined && value < flag.min) return expected;
  return value;
}

function describeParseError(error: Error & { code?: string }): string {
  // Node's messages are good but multi-line; keep the first line, it names the option.
  const first = error.message.split('\n')[0] ?? error.message;
  // For a command that takes names, node adds how to pass a name starting with '-': not what a
  // mistyped flag needs.
  const unknown = /^Unknown option '([^']+)'/.exec(first);
  if (unknown) return unknownOption(unknown[1]!);
  return first.replace(/^Option '([^']+)' argument missing$/, "Option '$1' needs a value");
}

/** Help text listing every flag of `spec`, with its value name and default. */
export function renderHelp(spec: CommandSpec): string {
  const rows: Array<[string, string]> = [];
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.type === 'boolean') {
      const long = flag.default === true ? `--no-${name}` : `--${name}`;
      rows.push([flag.short ? `-${flag.short}, ${long}` : long, flag.description]);
      continue;
    }
    const valueName = flag.valueName ?? (flag.type === 'number' ? 'N' : 'VALUE');
    const repeat = flag.type === 'string' && flag.multiple ? ' (repeatable)' : '';
    const fallback = flag.default === undefined ? '' : ` (default ${flag.default})`;
    rows.push([`--${name} ${valueName}`, `${flag.description}${repeat}${fallback}`]);
  }
  rows.push(['-h, --help', 'show this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length));
  const words = spec.positionals ? ` [${spec.positionals.valueName}...]` : '';
  const lines = [`Usage: ${spec.name} [options]${words}`, '', spec.summary, ''];
  if (spec.positionals) lines.push(`  ${spec.positionals.valueName}...  ${spec.positionals.description}`, '');
  lines.push('Options:');
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}  ${right}`);
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

/** Where `parseArgsOrExit` writes and how it ends the process (injectable for tests). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  exit: (code: number) => never;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** Parses flags for a CLI entry point: `--help` prints help and exits 0; errors exit 2 with a hint. */
export function parseArgsOrExit<S extends CommandSpec>(
  spec: S,
  args: readonly string[] = process.argv.slice(2),
  io: CliIo = processIo,
): FlagValues<S> {
  return parseCommandLineOrExit(spec, args, io).values;
}

/** `parseArgsOrExit` for a command that takes words after it (`spec.positionals`): flags and words. */
export function parseCommandLineOrExit<S extends CommandSpec>(
  spec: S,
  args: readonly string[] = process.argv.slice(2),
  io: CliIo = processIo,
): { readonly values: FlagValues<S>; readonly positionals: readonly string[] } {
  const result = parseArgs(spec, args);
  if (!result.ok) return usageError(spec, result.message, io);
  if (result.help) {
    io.stdout(renderHelp(spec));
    return io.exit(0);
  }
  return { values: result.values, positionals: result.positionals ?? [] };
}

/** Prints a usage error with a hint to `--help` and exits 2 (for checks done after parsing). */
export function usageError(spec: CommandSpec, message: string, io: CliIo = processIo): never {
  io.stderr(`${spec.name}: ${message}\nRun \`${spec.name} --help\` for the list of options.\n`);
  return io.exit(2);
}
