import type { LogLine } from './follow-logs.js';

/** Options of `createCrashFolder`. */
export interface CrashFolderOptions {
  /** Receives the lines to print, in order per service. */
  readonly emit: (entry: LogLine) => void;
  /** Longest time lines that may repeat the last crash are held back before they are printed anyway (default 1000 ms). */
  readonly holdMs?: number;
  /** Quiet time after the last repeat before its count is printed (default 1500 ms). */
  readonly quietMs?: number;
}

/** A filter between a service's log lines and the terminal. */
export interface CrashFolder {
  push(entry: LogLine): void;
  /** Prints what is held back and the counts not yet printed; stops its timers. Idempotent. */
  close(): void;
}

/** The line Node ends an uncaught error with; one crash ends there. */
const CRASH_END = /^Node\.js v\d+\.\d+\.\d+$/;
/** Lines of a crash kept to compare the next one with (a start-up crash is ~15 lines). */
const KEEP_LINES = 60;

interface Track {
  /** Lines since the last crash ended. */
  episode: string[];
  /** The last crash: the lines a repeat must match, ending with Node's trailer. */
  previous: string[] | undefined;
  /** Lines held back while they match `previous` from one of `candidates` (start offsets). */
  held: string[];
  candidates: number[];
  /** Crashes in a row that matched `previous`, the first (printed) one included. */
  total: number;
  /** `total` as of the last count line printed. */
  reported: number;
  holdTimer: NodeJS.Timeout | undefined;
  quietTimer: NodeJS.Timeout | undefined;
}

/**
 * Prints a crash that repeats once, with a count: a service that crash-loops at start-up prints the
 * same stack on every failed start. A crash is the lines up to Node's `Node.js vX.Y.Z` trailer; the
 * next lines are held back while they match the end of the last crash line for line, and a complete
 * match is counted instead of printed. Anything else is printed as it comes (held lines first).
 */
export function createCrashFolder(options: CrashFolderOptions): CrashFolder {
  const holdMs = options.holdMs ?? 1000;
  const quietMs = options.quietMs ?? 1500;
  const tracks = new Map<string, Track>();
  let closed = false;

  const trackOf = (service: string): Track => {
    let track = tracks.get(service);
    if (!track) {
      track = {
        episode: [],
        previous: undefined,
        held: [],
        candidates: [],
        total: 0,
        reported: 0,
        holdTimer: undefined,
        quietTimer: undefined,
      };
      tracks.set(service, track);
    }
    return track;
  };

  const reportCount = (service: string, t: Track) => {
    clearTimeout(t.quietTimer);
    t.quietTimer = undefined;
    if (t.total <= t.reported) return;
    const more = t.total - 1;
    options.emit({
      service,
      line: `the same crash ${more} more time${more === 1 ? '' : 's'} (${t.total} in a row; shown once above)`,
    });
    t.reported = t.total;
  };

  const print = (service: string, t: Track, line: string) => {
    reportCount(service, t);
    options.emit({ service, line });
    t.episode.push(line);
    if (t.episode.length > KEEP_LINES) t.episode.shift();
    if (CRASH_END.test(line)) {
      t.previous = t.episode;
      t.episode = [];
      t.total = 1;
      t.reported = 1;
    }
  };

  const release = (service: string, t: Track) => {
    clearTimeout(t.holdTimer);
    t.holdTimer = undefined;
    const held = t.held;
    t.held = [];
    t.candidates = [];
    for (const line of held) print(service, t, line);
  };

  const push = (service: string, line: string): void => {
    const t = trackOf(service);
    const previous = t.previous;
    if (previous && !closed) {
      const offset = t.held.length;
      // A repeat starts right after a crash ended; its first line may match the last crash anywhere
      // (that one may have begun with lines the service printed before it crashed).
      const next =
        offset > 0
          ? t.candidates.filter((k) => previous[k + offset] === line)
          : t.episode.length === 0
            ? previous.flatMap((candidate, k) => (candidate === line ? [k] : []))
            : [];
      if (next.length > 0) {
        t.held.push(line);
        t.candidates = next;
        if (CRASH_END.test(line) && next.some((k) => k + offset + 1 === previous.length)) {
          // The same crash again: count it, print nothing.
          t.previous = t.held;
          t.held = [];
          t.candidates = [];
          t.episode = [];
          t.total += 1;
          clearTimeout(t.holdTimer);
          t.holdTimer = undefined;
          clearTimeout(t.quietTimer);
          t.quietTimer = setTimeout(() => reportCount(service, t), quietMs);
          return;
        }
        clearTimeout(t.holdTimer);
        t.holdTimer = setTimeout(() => release(service, t), holdMs);
        return;
      }
      if (offset > 0) {
        // Not a repeat after all: print what was held, then look at this line afresh.
        release(service, t);
        push(service, line);
        return;
      }
    }
    print(service, t, line);
  };

  return {
    push: ({ service, line }) => push(service, line),
    close() {
      if (closed) return;
      closed = true;
      for (const [service, t] of tracks) {
        release(service, t);
        reportCount(service, t);
      }
    },
  };
}
