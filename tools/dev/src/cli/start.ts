/** `pnpm start`: bring this checkout's services up (attaching to what runs), then hot-reload. */
import { constants as osConstants } from 'node:os';
import { stampOutput } from '@nexu/service-kit';
import { resolveCheckout } from '../checkout/checkout.js';
import { renderStartPreview } from '../commands/render-start-preview.js';
import { renderStartReport } from '../commands/render-start-report.js';
import { previewStart, startServices } from '../commands/start.js';
import { consoleReporter, type Reporter } from '../format/reporter.js';
import { findOrphanHint } from '../machine/orphan-hint.js';
import { StartInterruptedError } from '../plan/start-interrupted-error.js';
import { SERVICE_NAMES } from '../services/manifest.js';
import { withDependencies } from '../services/service-closure.js';
import { BACKGROUND_WATCH_ENV, readWatcher, spawnBackgroundWatch } from '../watch/background-watch.js';
import type { WatchSessionRunOptions } from '../watch/run-watch-session.js';
import { parseCommandLineOrExit, usageError } from './parse-args.js';
import { resolveBackendFlag } from './resolve-backend-flag.js';
import { resolveServiceNames } from './resolve-service-names.js';
import { runCli } from './run-cli.js';

/** The foreground half of `pnpm start` (hot reload + logs): the watch stack (esbuild, chokidar, Vite) loads only when watching. */
async function runWatchSession(options: Omit<WatchSessionRunOptions, 'followLogs'>): Promise<void> {
  const [{ runWatchSession: run }, { runLogs }] = await Promise.all([
    import('../watch/run-watch-session.js'),
    import('../commands/logs.js'),
  ]);
  return run({ ...options, followLogs: runLogs });
}

const spec = {
  name: 'pnpm start',
  summary:
    "Start this checkout's services under the OS service manager (launchd, systemd --user, or the\n" +
    'process keeper), attaching to whatever already runs, then watch sources and hot-reload.\n' +
    'Ctrl-C stops watching only: the services keep running; `pnpm stop` tears them down.\n' +
    'Ctrl-C during the build or the start starts nothing more, records what runs, says what it\n' +
    'left and exits 0. Without --backend it stays on the backend the services run on.\n' +
    'Named services start with what they depend on (one line says which were pulled in).',
  positionals: { valueName: 'SERVICE', description: 'gateway, controller, web (default: all)' },
  flags: {
    watch: {
      type: 'boolean',
      default: true,
      description: 'start the services, then exit instead of watching',
    },
    detach: {
      type: 'boolean',
      description:
        'return once every service answers as ready and keep hot-reloading in the background (output in .tmp/dev/nexu-home/logs/watch.log; `pnpm stop` ends it)',
    },
    json: {
      type: 'boolean',
      description:
        'with --detach or --no-watch: print one JSON object (each service: url, pid, mode) instead of the table',
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
  notes: [
    'Examples:',
    '  pnpm start',
    '  pnpm start controller          # the gateway too: the controller depends on it',
    '  pnpm -s start --detach --json  # for scripts and coding agents',
  ],
} as const;

const { values: flags, positionals } = parseCommandLineOrExit(spec);
const backend = resolveBackendFlag(spec, flags.backend);
const names = resolveServiceNames(positionals);
if (!names.ok) usageError(spec, names.message);
if (flags.detach && !flags.watch)
  usageError(spec, '--detach and --no-watch cannot be combined: --detach watches in the background');
if (flags.json && !flags.detach && flags.watch)
  usageError(spec, '--json needs --detach or --no-watch (a foreground session streams logs)');
if (flags['dry-run'] && (flags.detach || flags.json))
  usageError(spec, '--dry-run changes nothing: leave out --detach and --json');
/** The background session `pnpm start --detach` leaves running (started by that command, not typed). */
const background = process.env[BACKGROUND_WATCH_ENV] === '1';
// Its output is watch.log: stamped like the services' logs, so `pnpm logs --since` reads it too.
if (background) {
  stampOutput(process.stdout);
  stampOutput(process.stderr);
}

await runCli(async () => {
  const checkout = resolveCheckout();
  const named = names.ok ? names.services : SERVICE_NAMES;
  const closure = withDependencies(named);
  const services = positionals.length > 0 ? closure.services : undefined;
  // With --json, stdout carries one object: progress lines go to stderr.
  const reporter: Reporter = flags.json
    ? { ...consoleReporter, info: (line) => console.error(line), print: (text) => console.error(text) }
    : consoleReporter;
  if (closure.pulledIn.length > 0 && !background) {
    reporter.info(`Starting ${named.join(', ')} with what it depends on: ${closure.pulledIn.join(', ')}.`);
  }
  if (flags['dry-run']) {
    consoleReporter.print(
      renderStartPreview(
        await previewStart({ checkout, backend, ...(services ? { services } : {}) }),
        checkout.root,
      ),
    );
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
    report = await startServices({
      checkout,
      backend,
      reporter,
      signal: interrupt.signal,
      ...(services ? { services } : {}),
    });
  } catch (error) {
    if (!(error instanceof StartInterruptedError)) throw error;
    console.error(error.message);
    return interruptedExit();
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
  if (interrupt.signal.aborted) {
    reporter.print(renderStartReport(report));
    console.error(
      'Interrupted: every service runs (recorded); `pnpm start` attaches to them, `pnpm stop` stops them.',
    );
    return interruptedExit();
  }
  let watching = background ? null : await readWatcher(checkout);
  if (flags.detach && !watching) {
    const args = [...(services ? services.map((s) => s.name) : []), '--backend', report.backend];
    watching = await spawnBackgroundWatch({ checkout, args });
  }
  if (flags.json) {
    const object = {
      backend: report.backend,
      services: report.services.map((s) => ({ name: s.name, url: s.url, pid: s.pid, mode: s.mode })),
      watching: watching ? { pid: watching.pid, background: watching.background } : null,
    };
    process.stdout.write(`${JSON.stringify(object)}\n`);
  } else {
    reporter.print(renderStartReport(report));
  }
  if (!background) {
    const hint = await findOrphanHint({ checkoutId: checkout.id });
    if (hint) reporter.warn(hint);
  }
  if (flags.detach) {
    if (!flags.json && watching) {
      reporter.info(
        watching.background
          ? `Watching in the background (pid ${watching.pid}): output in .tmp/dev/nexu-home/logs/watch.log (\`pnpm logs\`); \`pnpm stop\` ends it.`
          : `Already watching this checkout: pid ${watching.pid} (\`${watching.command}\`) rebuilds and reloads.`,
      );
    }
    return 0;
  }
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
    await runWatchSession({ checkout, report, signal: stop.signal, background });
    if (stop.signal.aborted) {
      consoleReporter.info('Stopped watching. The services keep running (`pnpm stop` tears them down).');
    }
  } finally {
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
  }
  return 0;
});
