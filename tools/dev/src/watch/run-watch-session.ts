import { existsSync } from 'node:fs';
import type { Checkout } from '../checkout/checkout.js';
import { type Lock, readLiveHolder, takeRecordLock } from '../checkout/lock.js';
import { createPalette, shouldColour } from '../format/color.js';
import { createLogLineFormatter } from '../logs/log-line-formatter.js';
import type { LogsOptions } from '../logs/logs-options.js';
import { SERVICE_NAMES } from '../services/manifest.js';
import { BACKGROUND_WATCHER_COMMAND } from './background-watch.js';
import { type CheckoutChange, followCheckout } from './follow-checkout.js';
import { createFollowedTarget, type ReloadTarget } from './followed-target.js';
import { watchServices } from './watch.js';
import type { WatchSession } from './watch-session.js';

export interface WatchSessionRunOptions {
  readonly checkout: Checkout;
  /** What `pnpm start` decided: the supervisor and the unit of every service it runs. */
  readonly report: ReloadTarget;
  /** Ends the session (Ctrl-C); the services keep running. */
  readonly signal: AbortSignal;
  /** Receives whole output lines, each ending in `\n`. */
  readonly out?: (text: string) => void;
  readonly colour?: boolean;
  /** Type-check each rebuilt service beside the fast build (default true). */
  readonly typecheck?: boolean;
  /**
   * The background session of `pnpm start --detach`: reload lines only (the services' logs are in
   * `pnpm logs`), and it ends at once when another session watches already.
   */
  readonly background?: boolean;
  /**
   * Streams the services' logs in the foreground: `pnpm logs --follow` (`runLogs`), passed in by
   * the wiring so that the way of a save does not reach up into the commands.
   */
  readonly followLogs: (options: LogsOptions) => Promise<unknown>;
}

/** The record's holder command: what a second session names when it attaches. */
const WATCHER_COMMAND = 'pnpm start';

/** The line a session ends with after a change from outside it. */
function describeEnd(change: Exclude<CheckoutChange, { kind: 'replaced' }>): string {
  const by = change.kind === 'unreadable' ? null : change.by;
  switch (change.kind) {
    // Without a command seen holding the lock, say what happened, not which command it might
    // have been: a hand's `rm -rf .tmp/dev` leaves the services running.
    case 'stopped':
      return by
        ? `\`${by}\` stopped this checkout's services: watching ends.`
        : "This checkout's ledger (.tmp/dev/runtime.json) was removed outside this session: watching ends (`pnpm status` shows what still runs).";
    case 'reset':
      return by
        ? `\`${by}\` stopped this checkout's services and removed its dev state: watching ends.`
        : "This checkout's dev state (.tmp/dev) was deleted outside this session: watching ends (`pnpm start` replaces what still runs on it, `pnpm stop` stops it).";
    case 'unreadable':
      return `This checkout's ledger changed and cannot be followed (${change.problem}): watching ends; run pnpm start again.`;
  }
}

/**
 * The foreground part of `pnpm start`: hot reload plus every service's log streamed with a
 * coloured prefix, reload lines interleaved, until `signal` aborts or the checkout is stopped or
 * reset from elsewhere (one line says so; the session ends normally). One session per checkout
 * watches (a pid + start time record in `.tmp/dev/watcher`); a second one attaches: it names the
 * watching pid, follows the logs without rebuilding, and takes the watching over when that one ends.
 * Leaves the services running.
 */
export async function runWatchSession(options: WatchSessionRunOptions): Promise<void> {
  const { checkout, report } = options;
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const colour = options.colour ?? shouldColour(process.stdout.isTTY === true);
  const format = createLogLineFormatter(SERVICE_NAMES, colour);
  const { bold } = createPalette(colour);
  const ended = new AbortController();
  const signal = AbortSignal.any([options.signal, ended.signal]);
  // Once the session ends, what a reload still under way reports is beside the point.
  const say = (line: string) => {
    if (!ended.signal.aborted) out(`${line}\n`);
  };
  const target = createFollowedTarget(checkout, report, say);

  let session: WatchSession | undefined;
  let watcher: Lock | undefined;
  // Set once another session was found watching: only then may this one take the watching over.
  let attached = false;
  const watch = async () => {
    session = await watchServices({
      checkout,
      report,
      target,
      ...(options.typecheck === undefined ? {} : { typecheck: options.typecheck }),
      stillRunning: async () => {
        await follower.check();
        return !ended.signal.aborted && existsSync(checkout.ledgerPath);
      },
      log: (service, line) => say(format({ service, line: bold(line) })),
    });
  };
  // Taken and given back in turn by the sessions of this checkout; never brings a removed state folder back.
  const takeWatcher = async () => {
    const taken = await takeRecordLock(checkout.watcherPath, {
      command: options.background ? BACKGROUND_WATCHER_COMMAND : WATCHER_COMMAND,
      createDir: false,
    }).catch(() => null);
    if (taken?.ok) watcher = taken.lock;
    return taken;
  };

  const follower = followCheckout(checkout, {
    onChange(change) {
      if (change.kind === 'replaced') return target.follow(change.ledger);
      say(describeEnd(change));
      ended.abort();
    },
    // An attached session takes the watching over once the watching one has ended.
    async onTick() {
      if (!attached || session || watcher || ended.signal.aborted) return;
      if (await readLiveHolder(checkout.watcherPath)) return;
      const taken = await takeWatcher();
      if (!taken?.ok || ended.signal.aborted) return;
      try {
        await watch();
      } catch (error) {
        // Given back, and not tried again: another session (or the next pnpm start) may watch.
        attached = false;
        watcher = undefined;
        await taken.lock.release();
        say(
          `Could not take the watching over (${(error as Error).message}): this session follows the logs only.`,
        );
        return;
      }
      say('The session that watched this checkout ended: this one watches and reloads now.');
    },
  });

  try {
    const first = await takeWatcher();
    if (first?.ok) {
      await watch();
      say('Watching for changes. Ctrl-C stops watching; the services keep running (`pnpm stop` tears down).');
    } else if (options.background) {
      const holder = first ? `pid ${first.holder.pid} (\`${first.holder.command}\`)` : 'another session';
      say(`Already watching this checkout: ${holder} rebuilds and reloads. This background session ends.`);
      return;
    } else {
      attached = true;
      const holder = first ? `pid ${first.holder.pid} (\`${first.holder.command}\`)` : 'another session';
      say(
        `Already watching this checkout: ${holder} rebuilds and reloads. This session follows the logs only, and takes the watching over when that one ends. Ctrl-C ends it.`,
      );
    }
    if (options.background) {
      if (!signal.aborted) {
        say(`Watching in the background (pid ${process.pid}); \`pnpm stop\` ends it.`);
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      }
    } else if (!signal.aborted) {
      await options.followLogs({
        checkout,
        services: SERVICE_NAMES,
        lines: 0,
        follow: true,
        out: (text) => {
          if (!ended.signal.aborted) out(text);
        },
        colour,
        signal,
        foldCrashes: true,
      });
    }
  } finally {
    // After the follower: a takeover under way has set up its session by then, and it is closed too.
    await follower.close();
    await session?.close();
    await watcher?.release();
  }
}
