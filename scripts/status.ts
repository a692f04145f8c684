#!/usr/bin/env tsx
/** `pnpm status`: one table (or one JSON object) describing this checkout's services. */
import { resolveCheckout } from '@nexu/dev/checkout/checkout';
import { parseArgsOrExit } from '@nexu/dev/cli/parse-args';
import { resolveBackendFlag } from '@nexu/dev/cli/resolve-backend-flag';
import { runCli } from '@nexu/dev/cli/run-cli';
import { renderStatus } from '@nexu/dev/commands/render-status';
import { consoleReporter } from '@nexu/dev/commands/reporter';
import { collectStatus, statusExitCode } from '@nexu/dev/commands/status';

const spec = {
  name: 'pnpm status',
  summary:
    "Show this checkout's services: state, pid, port, URL, uptime, restarts, health.\nExit 0 when every service runs and is healthy, 1 otherwise.",
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
  return statusExitCode(report);
});
