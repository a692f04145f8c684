import type { Checkout } from '../checkout/checkout.js';
import { createPalette, shouldColour } from '../format/color.js';
import { createLogLineFormatter } from '../logs/log-line-formatter.js';
import { SERVICE_NAMES } from '../services/manifest.js';
import { runLogs } from './logs.js';
import type { StartReport } from './start.js';
import { watchServices } from './watch.js';

export interface WatchSessionRunOptions {
  readonly checkout: Checkout;
  readonly report: StartReport;
  /** Ends the session (Ctrl-C); the services keep running. */
  readonly signal: AbortSignal;
  /** Receives whole output lines, each ending in `\n`. */
  readonly out?: (text: string) => void;
  readonly colour?: boolean;
}

/**
 * The foreground part of `pnpm start`: hot reload plus every service's log streamed with a
 * coloured prefix, reload lines interleaved, until `signal` aborts. Leaves the services running.
 */
export async function runWatchSession(options: WatchSessionRunOptions): Promise<void> {
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const colour = options.colour ?? shouldColour(process.stdout.isTTY === true);
  const format = createLogLineFormatter(SERVICE_NAMES, colour);
  const { bold } = createPalette(colour);
  const session = await watchServices({
    checkout: options.checkout,
    report: options.report,
    log: (service, line) => out(`${format({ service, line: bold(line) })}\n`),
  });
  try {
    out('Watching for changes. Ctrl-C stops watching; the services keep running (`pnpm stop` tears down).\n');
    await runLogs({
      checkout: options.checkout,
      services: SERVICE_NAMES,
      lines: 0,
      follow: true,
      out,
      colour,
      signal: options.signal,
      foldCrashes: true,
    });
  } finally {
    await session.close();
  }
}
