#!/usr/bin/env tsx
/** `pnpm status`: one table (or one JSON object) describing this checkout's services. */
import {
  collectStatus,
  consoleReporter,
  parseArgsOrExit,
  renderStatus,
  resolveBackendFlag,
  resolveCheckout,
  runCli,
  statusExitCode,
} from '@nexu/dev';

const spec = {
  name: 'pnpm status',
  summary:
    "Show this checkout's services: state, pid, port, URL, uptime, restarts, health.\n" +
    'Exit status, for scripts (output not a terminal): 0 when every service runs and is healthy, 1\n' +
    'otherwise. On a terminal the table says it and the status is 0.',
  flags: {
    json: { type: 'boolean', description: 'print one JSON object (stable for scripts) instead of the table' },
    backend: {
      type: 'string',
      valueName: 'NAME',
      description: 'ask this backend (default: the one that started them)',
    },
  },
} as const;

const flags = parseArgsOrExit(spec);
const backend = resolveBackendFlag(spec, flags.backend, { fromEnv: false });

await runCli(async () => {
  const { report, problem } = await collectStatus({ checkout: resolveCheckout(), backend });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    if (problem) consoleReporter.warn(problem);
    consoleReporter.print(renderStatus(report));
  }
  return statusExitCode(report, { terminal: process.stdout.isTTY === true });
});
