/** `pnpm restart [SERVICE...]`: restart running services through their supervisor and wait until ready. */

import { resolveCheckout } from '../checkout/checkout.js';
import { renderRestartReport } from '../commands/render-restart-report.js';
import { restartServices } from '../commands/restart.js';
import { consoleReporter } from '../format/reporter.js';
import { findService } from '../services/manifest.js';
import { parseCommandLineOrExit, usageError } from './parse-args.js';
import { resolveServiceNames } from './resolve-service-names.js';
import { runCli } from './run-cli.js';

const spec = {
  name: 'pnpm restart',
  summary:
    "Restart this checkout's running services through their supervisor (launchctl kickstart -k,\n" +
    'systemctl --user restart, the process keeper), building first any whose sources are newer than\n' +
    'its build, and wait until each answers as ready. Prints one row per service with its new pid and\n' +
    'the time it took. Services that depend on a restarted one keep running (they reconnect) unless\n' +
    '--with-dependents. A service that does not run is not started: exit 1 (`pnpm start` starts it).',
  positionals: { valueName: 'SERVICE', description: 'gateway, controller, web (default: all)' },
  flags: {
    'with-dependents': {
      type: 'boolean',
      description: 'also restart the services that depend on the named ones',
    },
  },
  notes: [
    'Examples:',
    '  pnpm restart',
    '  pnpm restart controller',
    '  pnpm restart gateway --with-dependents',
  ],
} as const;

const { values: flags, positionals } = parseCommandLineOrExit(spec);
const names = resolveServiceNames(positionals);
if (!names.ok) usageError(spec, names.message);

await runCli(async () => {
  const services = (names.ok ? names.services : []).map((name) => findService(name)!);
  const result = await restartServices({
    checkout: resolveCheckout(),
    services,
    withDependents: flags['with-dependents'],
    reporter: consoleReporter,
  });
  if (!result.ok) {
    const list = result.notRunning.join(', ');
    const verb = result.notRunning.length === 1 ? 'does' : 'do';
    console.error(
      `nexu dev: ${list} ${verb} not run: nothing restarted. \`pnpm start ${result.notRunning.join(' ')}\` starts it.`,
    );
    return 1;
  }
  consoleReporter.print(renderRestartReport(result));
  return 0;
});
