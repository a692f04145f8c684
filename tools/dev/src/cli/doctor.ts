/** `pnpm doctor`: every precondition of `pnpm start` checked at once, each problem with its fix; changes nothing. */

import { resolveCheckout } from '../checkout/checkout.js';
import { renderDoctor } from '../doctor/render-doctor.js';
import { doctorExitCode, runDoctor } from '../doctor/run-doctor.js';
import { parseArgsOrExit } from './parse-args.js';
import { runCli } from './run-cli.js';

const spec = {
  name: 'pnpm run doctor',
  summary:
    'Check everything pnpm start depends on: node and pnpm, the backend it would choose (and why not\n' +
    'the others), this checkout (state folder, lock, ledger, watcher, builds), the ports and services,\n' +
    'the machine (services of deleted or moved checkouts) and file watching limits. One line per\n' +
    'check, ok / warn / fail, and under each warn or fail the command or step that fixes it.\n' +
    'Read-only: takes no lock, starts and changes nothing. Exit status: 1 when a check failed, else 0.',
  flags: {
    json: {
      type: 'boolean',
      description: 'print one JSON object: {"checkout","checks":[{"id","status","finding","fix"}]}',
    },
  },
} as const;

const flags = parseArgsOrExit(spec);

await runCli(async () => {
  const report = await runDoctor({ checkout: resolveCheckout() });
  process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderDoctor(report)}\n`);
  return doctorExitCode(report);
});
// A check that gave up on a hanging command must not keep the process waiting for it.
process.stdout.write('', () => process.exit());
