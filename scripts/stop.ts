#!/usr/bin/env tsx
/** `pnpm stop`: tear down this checkout's services; nothing of ours left running. */
import { consoleReporter, parseArgsOrExit, resolveCheckout, runCli, stopServices } from '@nexu/dev';

const spec = {
  name: 'pnpm stop',
  summary:
    "Stop and remove this checkout's services in every backend, stop leftover processes of this\n" +
    'checkout still holding its ports, and remove the ledger. Never touches other checkouts or\n' +
    'processes that are not ours. Safe to run when nothing runs.',
  flags: {},
} as const;

parseArgsOrExit(spec);
await runCli(async () => {
  await stopServices({ checkout: resolveCheckout(), reporter: consoleReporter });
  return 0;
});
