/** `pnpm reset-state`: stop this checkout's services, then delete its dev state (`.tmp/dev`). */

import { resolveCheckout } from '../checkout/checkout.js';
import { resetState } from '../commands/reset-state.js';
import { stopServices } from '../commands/stop.js';
import { terminalConfirmation } from '../format/confirmation.js';
import { consoleReporter } from '../format/reporter.js';
import { endWatcher, readWatcher } from '../watch/background-watch.js';
import { checkBackendEnv } from './check-backend-env.js';
import { confirmedExitCode } from './confirmed-exit-code.js';
import { parseArgsOrExit } from './parse-args.js';
import { runCli } from './run-cli.js';

const spec = {
  name: 'pnpm reset-state',
  summary:
    "Stop this checkout's services (as `pnpm stop`), then delete its dev state `.tmp/dev/`\n" +
    '(NEXU_HOME with config and logs, units, ledger). Only ever deletes a real folder inside this\n' +
    "checkout's `.tmp/`; refuses when a symlink leads elsewhere. Asks first on a terminal.\n" +
    'Exit status: 0 when done, when there was nothing to delete and when you answer no; 1 when it\n' +
    'refused (a symlink leading out, or no terminal to ask on and no --yes).',
  flags: {
    yes: { type: 'boolean', description: 'do not ask for confirmation (needed without a terminal)' },
  },
} as const;

const flags = parseArgsOrExit(spec);
checkBackendEnv(spec);

await runCli(async () => {
  const checkout = resolveCheckout();
  const result = await resetState({
    checkout,
    // A watching session (also `pnpm start --detach`'s, in the background) ends with the stop.
    stop: async () => {
      const watcher = await readWatcher(checkout);
      await stopServices({ checkout, reporter: consoleReporter, command: 'pnpm reset-state' });
      await endWatcher(watcher);
    },
    ...terminalConfirmation(flags.yes),
  });
  return confirmedExitCode(result);
});
