#!/usr/bin/env tsx
/** `pnpm start`: bring this checkout's services up (attaching to what runs), then hot-reload. */
import { constants as osConstants } from 'node:os';
import {
  consoleReporter,
  findOrphanHint,
  parseArgsOrExit,
  previewStart,
  renderStartPreview,
  renderStartReport,
  resolveBackendFlag,
  resolveCheckout,
  runCli,
  runWatchSession,
  StartInterruptedError,
  startServices,
} from '@nexu/dev';

const spec = {
  name: 'pnpm start',
  summary:
    "Start this checkout's services under the OS service manager (launchd, systemd --user, or the\n" +
    'process keeper), attaching to whatever already runs, then watch sources and hot-reload.\n' +
    'Ctrl-C stops watching only: the services keep running; `pnpm stop` tears them down.\n' +
    'Ctrl-C during the build or the start starts nothing more, records what runs, says what it\n' +
    'left and exits 0. Without --backend it stays on the backend the services run on.',
  flags: {
    watch: {
      type: 'boolean',
      default: true,
      description: 'start the services, then exit instead of watching',
    },
    backend: {
      type: 'string',
      valueName: 'NAME',
      description: 'launchd | systemd | process (default: auto, or NEXU_DEV_BACKEND)',
    },
    'dry-run': {
      type: 'boolean',
      description:
        'print what start would do for each service (attach, start, replace) and why; change nothing',
    },
  },
} as const;

const flags = parseArgsOrExit(spec);
const backend = resolveBackendFlag(spec, flags.backend);

await runCli(async () => {
  const checkout = resolveCheckout();
  if (flags['dry-run']) {
    consoleReporter.print(renderStartPreview(await previewStart({ checkout, backend }), checkout.root));
    return 0;
  }
  // Ctrl-C (or a closed terminal, or SIGTERM) during the start: nothing more is started, what runs
  // is recorded, the lock released, and one line says what it left and what to run next. Ctrl-C
  // then exits 0, as declining a question does: it is the user's choice, and pnpm prints no
  // "Command failed" after our line; the other signals exit 128 + their number.
  const interrupt = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interruptedBy ??= signal;
    interrupt.abort();
  };
  const signals = ['SIGINT', 'SIGHUP', 'SIGTERM'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  const interruptedExit = () =>
    interruptedBy === 'SIGINT' ? 0 : 128 + (osConstants.signals[interruptedBy ?? 'SIGTERM'] ?? 15);
  let report: Awaited<ReturnType<typeof startServices>>;
  try {
    report = await startServices({ checkout, backend, reporter: consoleReporter, signal: interrupt.signal });
  } catch (error) {
    if (!(error instanceof StartInterruptedError)) throw error;
    console.error(error.message);
    return interruptedExit();
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
  consoleReporter.print(renderStartReport(report));
  if (interrupt.signal.aborted) {
    console.error(
      'Interrupted: every service runs (recorded); `pnpm start` attaches to them, `pnpm stop` stops them.',
    );
    return interruptedExit();
  }
  const hint = await findOrphanHint({ checkoutId: checkout.id });
  if (hint) consoleReporter.warn(hint);
  if (!flags.watch) return 0;
  // Ctrl-C ends watching only; the services keep running and the next `pnpm start` attaches.
  const stop = new AbortController();
  const end = () => stop.abort();
  // `on`, not `once`: Ctrl-C reaches the whole process group, so tsx relays a second SIGINT; one
  // left unhandled would cut the session's cleanup short with exit 130.
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
  try {
    // Loaded only when watching: esbuild, chokidar and Vite stay out of `--no-watch` runs.
    await runWatchSession({ checkout, report, signal: stop.signal });
    if (stop.signal.aborted) {
      consoleReporter.info('Stopped watching. The services keep running (`pnpm stop` tears them down).');
    }
  } finally {
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
  }
  return 0;
});
