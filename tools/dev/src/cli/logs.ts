/** `pnpm logs`: follow this checkout's service logs, prefixed and coloured per service. */
import { existsSync } from 'node:fs';
import { resolveCheckout } from '../checkout/checkout.js';
import { runLogs } from '../commands/logs.js';
import { shouldColour } from '../format/color.js';
import { defaultLogLines } from '../logs/default-log-lines.js';
import { WATCH_LOG_NAME, watchLogPath } from '../watch/background-watch.js';
import { checkBackendEnv } from './check-backend-env.js';
import { parseCommandLineOrExit, usageError } from './parse-args.js';
import { parseSince } from './parse-since.js';
import { resolveServiceNames } from './resolve-service-names.js';
import { runCli } from './run-cli.js';

const spec = {
  name: 'pnpm logs',
  summary:
    "Show the last lines of this checkout's service logs (stdout and stderr), each prefixed with its\n" +
    'service, then follow new lines until Ctrl-C. Works whether or not `pnpm start` is running, and\n' +
    'keeps following across service restarts, truncation and logs that appear later. The background\n' +
    'watch session of `pnpm start --detach` shows as `watch`. With --grep or --since: every line of\n' +
    'the logs that matches (or the last --lines of each), in the order written, then matching new ones.',
  positionals: {
    valueName: 'SERVICE',
    description: 'only these logs (gateway, controller, web, watch; default all)',
  },
  flags: {
    service: {
      type: 'string',
      multiple: true,
      valueName: 'NAME',
      description: 'only this service (gateway, controller, web, watch); default all',
    },
    lines: {
      type: 'number',
      integer: true,
      min: 0,
      valueName: 'N',
      description: 'last N lines of each log first (default: a screenful, 40 when not a terminal)',
    },
    follow: { type: 'boolean', default: true, description: 'print the last lines and exit' },
    grep: {
      type: 'string',
      valueName: 'PATTERN',
      description: 'only lines matching this regular expression (JavaScript syntax)',
    },
    'ignore-case': { type: 'boolean', short: 'i', description: 'with --grep: ignore case' },
    since: {
      type: 'string',
      valueName: 'WHEN',
      description:
        'only lines written since: a duration back (90s, 5m, 2h, 1d), a time of day (10:42) or a date and time',
    },
  },
  notes: [
    'Examples:',
    '  pnpm logs',
    '  pnpm logs controller --lines 100',
    '  pnpm logs --no-follow',
    '  pnpm logs --grep "EADDRINUSE|error" -i --since 10m --no-follow',
  ],
} as const;

const { values: flags, positionals } = parseCommandLineOrExit(spec);
checkBackendEnv(spec);
const raw = [...flags.service, ...positionals];
const wantsWatch = raw.includes(WATCH_LOG_NAME);
const services = resolveServiceNames(raw.filter((name) => name !== WATCH_LOG_NAME));
if (!services.ok)
  usageError(spec, services.message.replace(/gateway, controller, web$/, 'gateway, controller, web, watch'));
if (flags['ignore-case'] && flags.grep === undefined)
  usageError(spec, '-i/--ignore-case applies to --grep: add --grep PATTERN');
let pattern: RegExp | undefined;
if (flags.grep !== undefined) {
  if (flags.grep === '') usageError(spec, '--grep needs a pattern');
  try {
    pattern = new RegExp(flags.grep, flags['ignore-case'] ? 'i' : '');
  } catch (error) {
    usageError(spec, `--grep "${flags.grep}" is not a regular expression: ${(error as Error).message}`);
  }
}
let since: number | undefined;
if (flags.since !== undefined) {
  const parsed = parseSince(flags.since);
  if (!parsed.ok) usageError(spec, parsed.message);
  else since = parsed.time;
}

await runCli(async () => {
  const checkout = resolveCheckout();
  // Every log by default, with the background session's when it has one; else the ones named.
  const named = services.ok && raw.some((name) => name !== WATCH_LOG_NAME) ? services.services : [];
  const names: string[] =
    raw.length === 0
      ? [
          ...(services.ok ? services.services : []),
          ...(existsSync(watchLogPath(checkout)) ? [WATCH_LOG_NAME] : []),
        ]
      : [...named, ...(wantsWatch ? [WATCH_LOG_NAME] : [])];
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `pnpm logs | head`: a closed pipe ends following quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop();
  });
  const filter =
    pattern || since !== undefined
      ? { ...(pattern ? { pattern } : {}), ...(since !== undefined ? { since } : {}) }
      : undefined;
  try {
    await runLogs({
      checkout,
      services: names,
      lines: flags.lines ?? defaultLogLines(process.stdout, names.length),
      follow: flags.follow,
      out: (text) => process.stdout.write(text),
      note: (line) => process.stderr.write(`${line}\n`),
      colour: shouldColour(process.stdout.isTTY === true),
      signal: controller.signal,
      ...(filter ? { filter, linesGiven: flags.lines !== undefined } : {}),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
});
