/** `pnpm status`: one table (or one JSON object) describing this checkout's services, or every checkout's. */

import { resolveCheckout } from '../checkout/checkout.js';
import { collectMachineStatus, machineStatusExitCode } from '../commands/machine-status.js';
import { renderMachineStatus } from '../commands/render-machine-status.js';
import { renderStatus } from '../commands/render-status.js';
import { collectStatus, statusExitCode } from '../commands/status.js';
import { consoleReporter } from '../format/reporter.js';
import { findOrphanHint } from '../machine/orphan-hint.js';
import { findService } from '../services/manifest.js';
import { describeWatcher, readWatcher } from '../watch/background-watch.js';
import { parseCommandLineOrExit, usageError } from './parse-args.js';
import { resolveBackendFlag } from './resolve-backend-flag.js';
import { resolveServiceNames } from './resolve-service-names.js';
import { runCli } from './run-cli.js';

const spec = {
  name: 'pnpm status',
  summary:
    "Show this checkout's services: state, pid, port, URL, uptime, restarts, health.\n" +
    'Exit status, for scripts (output not a terminal): 0 when every service runs and is healthy\n' +
    '(with --all: and none is orphaned), 1 otherwise. On a terminal the table says it and the\n' +
    'status is 0. With --all: every nexu dev service on this machine, of every checkout and\n' +
    'backend, and whether its checkout is still there (orphaned when it was deleted or moved away).',
  positionals: {
    valueName: 'SERVICE',
    description: 'only these services (gateway, controller, web; default all)',
  },
  flags: {
    json: { type: 'boolean', description: 'print one JSON object (stable for scripts) instead of the table' },
    wide: {
      type: 'boolean',
      description:
        'every column, however wide the terminal (a terminal otherwise gets the table without the columns that do not fit; piped output always gets all)',
    },
    all: {
      type: 'boolean',
      description:
        'every checkout on this machine: checkout id and root, live or orphaned (deleted/moved), backend, label, state, pid, port, health; for scripts, exit 1 when one is unhealthy or orphaned',
    },
    backend: {
      type: 'string',
      valueName: 'NAME',
      description: 'ask this backend (default: the one that started them; with --all: every backend)',
    },
  },
} as const;

const { values: flags, positionals } = parseCommandLineOrExit(spec);
const names = resolveServiceNames(positionals);
if (!names.ok) usageError(spec, names.message);
if (positionals.length > 0 && flags.all)
  usageError(spec, 'service names apply to this checkout only: leave them out with --all');
const backend = resolveBackendFlag(spec, flags.backend, { fromEnv: false });

/** The current checkout, when the command runs inside one (`--all` works anywhere). */
function currentCheckout() {
  try {
    return resolveCheckout();
  } catch {
    return undefined;
  }
}

await runCli(async () => {
  if (flags.all) {
    const current = currentCheckout();
    const report = await collectMachineStatus({
      ...(current ? { currentId: current.id } : {}),
      ...(backend ? { backends: [backend] } : {}),
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      for (const problem of report.problems) consoleReporter.warn(problem);
      consoleReporter.print(renderMachineStatus(report));
    }
    return machineStatusExitCode(report, { terminal: process.stdout.isTTY === true });
  }
  const checkout = resolveCheckout();
  const services = (names.ok ? names.services : []).map((name) => findService(name)!);
  const { report, problem, previous } = await collectStatus({ checkout, backend, services });
  const watcher = await readWatcher(checkout);
  if (flags.json) {
    const watching = watcher ? { pid: watcher.pid, background: watcher.background } : null;
    process.stdout.write(`${JSON.stringify({ ...report, watching })}\n`);
  } else {
    if (problem) consoleReporter.warn(problem);
    const width = process.stdout.isTTY && !flags.wide ? process.stdout.columns : undefined;
    consoleReporter.print(renderStatus(report, width ? { width } : {}));
    consoleReporter.info(describeWatcher(watcher));
    const hint = await findOrphanHint({ checkoutId: checkout.id, ...(previous ? { previous } : {}) });
    if (hint) consoleReporter.warn(hint);
  }
  return statusExitCode(report, { terminal: process.stdout.isTTY === true });
});
