#!/usr/bin/env tsx
/** `pnpm logs`: follow this checkout's service logs, prefixed and coloured per service. */
import {
  checkBackendEnv,
  defaultLogLines,
  parseArgsOrExit,
  resolveCheckout,
  resolveServiceNames,
  runCli,
  runLogs,
  shouldColour,
  usageError,
} from '@nexu/dev';

const spec = {
  name: 'pnpm logs',
  summary:
    "Show the last lines of this checkout's service logs (stdout and stderr), each prefixed with its\n" +
    'service, then follow new lines until Ctrl-C. Works whether or not `pnpm start` is running, and\n' +
    'keeps following across service restarts, truncation and logs that appear later.',
  flags: {
    service: {
      type: 'string',
      multiple: true,
      valueName: 'NAME',
      description: 'only this service (gateway, controller, web); default all',
    },
    lines: {
      type: 'number',
      integer: true,
      min: 0,
      valueName: 'N',
      description: 'last N lines of each log first (default: a screenful, 40 when not a terminal)',
    },
    follow: { type: 'boolean', default: true, description: 'print the last lines and exit' },
  },
  notes: [
    'Examples:',
    '  pnpm logs',
    '  pnpm logs --service controller --lines 100',
    '  pnpm logs --no-follow',
  ],
} as const;

const flags = parseArgsOrExit(spec);
checkBackendEnv(spec);
const services = resolveServiceNames(flags.service);
if (!services.ok) usageError(spec, services.message);

await runCli(async () => {
  const names = services.ok ? services.services : [];
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `pnpm logs | head`: a closed pipe ends following quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop();
  });
  try {
    await runLogs({
      checkout: resolveCheckout(),
      services: names,
      lines: flags.lines ?? defaultLogLines(process.stdout, names.length),
      follow: flags.follow,
      out: (text) => process.stdout.write(text),
      note: (line) => process.stderr.write(`${line}\n`),
      colour: shouldColour(process.stdout.isTTY === true),
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
});
