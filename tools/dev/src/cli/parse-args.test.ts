import { describe, expect, it } from 'vitest';
import { type CliIo, parseArgs, parseArgsOrExit, renderHelp } from './parse-args.js';
import { resolveServiceNames } from './resolve-service-names.js';

const spec = {
  name: 'pnpm logs',
  summary: 'Follow logs.',
  flags: {
    service: { type: 'string', multiple: true, valueName: 'NAME', description: 'only this service' },
    lines: { type: 'number', integer: true, min: 0, description: 'last N lines' },
    follow: { type: 'boolean', default: true, description: 'print and exit' },
    yes: { type: 'boolean', description: 'do not ask' },
    backend: { type: 'string', default: 'auto', description: 'backend' },
  },
} as const;

const parse = (...args: string[]) => parseArgs(spec, args);

describe('parseArgs', () => {
  it('returns defaults when no flag is given', () => {
    expect(parse()).toEqual({
      ok: true,
      help: false,
      values: { service: [], lines: undefined, follow: true, yes: false, backend: 'auto' },
    });
  });

  it('collects a repeatable flag in order, parses numbers and negated booleans', () => {
    const result = parse('--service', 'web', '--service=gateway', '--lines', '5', '--no-follow', '--yes');
    expect(result).toMatchObject({
      ok: true,
      values: { service: ['web', 'gateway'], lines: 5, follow: false, yes: true },
    });
  });

  it.each([
    [['--lines', '-3'], '--lines needs a whole number >= 0, got "-3"'],
    [['--lines', 'abc'], '--lines needs a whole number >= 0, got "abc"'],
    [['--lines', '1.5'], '--lines needs a whole number >= 0, got "1.5"'],
    [['--lines'], "Option '--lines <value>' needs a value"],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--lines', '0x10'], '--lines needs a whole number >= 0, got "0x10"'],
    [['--lines', '1e3'], '--lines needs a whole number >= 0, got "1e3"'],
    [['--lines', ' 3'], '--lines needs a whole number >= 0, got " 3"'],
    [['--lines', '+3'], '--lines needs a whole number >= 0, got "+3"'],
    [['--no-yes'], "Unknown option '--no-yes'"],
    [['extra'], "Unexpected argument 'extra'"],
  ])('rejects %j with a message naming the problem', (args, message) => {
    const result = parse(...args);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });

  it('words an unknown option the same way whether the command takes names or not', () => {
    const withNames = { ...spec, positionals: { valueName: 'SERVICE', description: 'services' } } as const;
    for (const result of [parse('--servce'), parseArgs(withNames, ['--servce'])]) {
      expect(result).toEqual({ ok: false, message: "Unknown option '--servce'" });
    }
  });

  it('reports --help and -h, which win over bad values', () => {
    expect(parse('--help')).toEqual({ ok: true, help: true });
    expect(parse('--lines', 'x', '-h')).toEqual({ ok: true, help: true });
    expect(parse('-h')).toEqual({ ok: true, help: true });
  });
});

describe('renderHelp', () => {
  it('lists every flag with its value name, default and the --no- form of default-on booleans', () => {
    const help = renderHelp(spec);
    expect(help).toContain('Usage: pnpm logs [options]');
    expect(help).toMatch(/--service NAME\s+only this service \(repeatable\)/);
    expect(help).toMatch(/--lines N\s+last N lines/);
    expect(help).toMatch(/--no-follow\s+print and exit/);
    expect(help).toMatch(/--yes\s+do not ask/);
    expect(help).toMatch(/--backend VALUE\s+backend \(default auto\)/);
    expect(help).toMatch(/-h, --help/);
  });
});

describe('parseArgsOrExit', () => {
  function recordingIo() {
    const io = { out: '', err: '', code: undefined as number | undefined };
    const cli: CliIo = {
      stdout: (text) => {
        io.out += text;
      },
      stderr: (text) => {
        io.err += text;
      },
      exit: (code) => {
        io.code = code;
        throw new Error(`exit ${code}`);
      },
    };
    return { io, cli };
  }

  it('exits 2 with the message and a hint to --help on a bad flag', () => {
    const { io, cli } = recordingIo();
    expect(() => parseArgsOrExit(spec, ['--bogus'], cli)).toThrow('exit 2');
    expect(io.code).toBe(2);
    expect(io.err).toContain("pnpm logs: Unknown option '--bogus'");
    expect(io.err).toContain('Run `pnpm logs --help`');
  });

  it('prints the help and exits 0 on --help', () => {
    const { io, cli } = recordingIo();
    expect(() => parseArgsOrExit(spec, ['--help'], cli)).toThrow('exit 0');
    expect(io.out).toBe(renderHelp(spec));
  });
});

describe('resolveServiceNames', () => {
  it('means every service when none is named, and keeps manifest order otherwise', () => {
    expect(resolveServiceNames([])).toEqual({ ok: true, services: ['gateway', 'controller', 'web'] });
    expect(resolveServiceNames(['web', 'gateway', 'web'])).toEqual({
      ok: true,
      services: ['gateway', 'web'],
    });
  });

  it('rejects an unknown name, listing the valid ones', () => {
    expect(resolveServiceNames(['api'])).toEqual({
      ok: false,
      message: 'Unknown service "api": valid services are gateway, controller, web',
    });
  });
});

describe('parseArgs with words after the command and short flags', () => {
  const words = {
    name: 'pnpm restart',
    summary: 'Restart.',
    positionals: { valueName: 'SERVICE', description: 'services' },
    flags: {
      'ignore-case': { type: 'boolean', short: 'i', description: 'case-insensitive' },
    },
  } as const;

  it('returns the words in order beside the flags, and -i as its long flag', () => {
    expect(parseArgs(words, ['web', '-i', 'gateway'])).toEqual({
      ok: true,
      help: false,
      values: { 'ignore-case': true },
      positionals: ['web', 'gateway'],
    });
  });

  it('names the words and the short flag in the help', () => {
    const help = renderHelp(words);
    expect(help).toContain('Usage: pnpm restart [options] [SERVICE...]');
    expect(help).toContain('SERVICE...  services');
    expect(help).toMatch(/-i, --ignore-case\s+case-insensitive/);
  });

  it('still rejects words for a command that takes none', () => {
    expect(parse('extra')).toEqual({
      ok: false,
      message: "Unexpected argument 'extra'. This command does not take positional arguments",
    });
  });
});
