/** `pnpm stop`: tear down this checkout's services (or every checkout's, or those of gone checkouts). */

import { resolveCheckout } from '../checkout/checkout.js';
import { stopServices } from '../commands/stop.js';
import { stopAllServices, stopOrphanedServices } from '../commands/stop-machine.js';
import { stopServiceSubset } from '../commands/stop-subset.js';
import { terminalConfirmation } from '../format/confirmation.js';
import { consoleReporter } from '../format/reporter.js';
import { SERVICE_NAMES } from '../services/manifest.js';
import { endWatcher, readWatcher } from '../watch/background-watch.js';
import { checkBackendEnv } from './check-backend-env.js';
import { confirmedExitCode } from './confirmed-exit-code.js';
import { parseCommandLineOrExit, usageError } from './parse-args.js';
import { resolveServiceNames } from './resolve-service-names.js';
import { runCli } from './run-cli.js';

const spec = {
  name: 'pnpm stop',
  summary:
    "Stop and remove this checkout's services in every backend, stop leftover processes of this\n" +
    'checkout still holding its ports, and remove the ledger. Never touches other checkouts or\n' +
    'processes that are not ours. Safe to run when nothing runs. A checkout moved here also stops\n' +
    'the services its previous location ran. Named services: only those stop (with a warning\n' +
    'about running services that depend on them); the others keep running.',
  positionals: { valueName: 'SERVICE', description: 'gateway, controller, web (default: all)' },
  flags: {
    orphans: {
      type: 'boolean',
      description:
        'stop the services of checkouts that were deleted or moved away (any checkout on this machine; each verified ours first); live checkouts are never touched',
    },
    all: {
      type: 'boolean',
      description:
        "stop every checkout's dev services on this machine; asks first (with the list) on a terminal",
    },
    yes: { type: 'boolean', description: 'with --all: do not ask (needed without a terminal)' },
  },
  notes: [
    '`pnpm status --all` lists what --orphans and --all would stop.',
    'Exit status: 0 when done, when nothing runs and when you answer no to --all; 1 when a service',
    'could not be stopped, or --all found no terminal to ask on and no --yes.',
  ],
} as const;

const { values: flags, positionals } = parseCommandLineOrExit(spec);
checkBackendEnv(spec);
const names = resolveServiceNames(positionals);
if (!names.ok) usageError(spec, names.message);
if (positionals.length > 0 && (flags.orphans || flags.all))
  usageError(spec, 'service names apply to this checkout only: leave them out with --orphans or --all');
if (flags.orphans && flags.all)
  usageError(spec, '--orphans and --all cannot be combined: --all includes the orphans');
if (flags.yes && !flags.all) usageError(spec, '--yes only applies to --all');

await runCli(async () => {
  if (flags.orphans) {
    const report = await stopOrphanedServices({ reporter: consoleReporter });
    return report.failed.length === 0 ? 0 : 1;
  }
  if (flags.all) {
    const result = await stopAllServices({
      reporter: consoleReporter,
      ...terminalConfirmation(flags.yes),
    });
    return confirmedExitCode(result);
  }
  const only = names.ok && names.services.length < SERVICE_NAMES.length ? names.services : undefined;
  if (only) {
    await stopServiceSubset({ checkout: resolveCheckout(), services: only, reporter: consoleReporter });
    return 0;
  }
  const checkout = resolveCheckout();
  // A watching session ends once the ledger is gone; `pnpm start --detach`'s is waited for (and ended).
  const watcher = await readWatcher(checkout);
  await stopServices({ checkout, reporter: consoleReporter });
  if (!(await endWatcher(watcher))) {
    consoleReporter.warn(
      `the watching session (pid ${watcher?.pid}) is still running; Ctrl-C in its terminal ends it`,
    );
  }
  return 0;
});
