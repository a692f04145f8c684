import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The last error a service printed with its stack: what a crash summary leads with. */
export interface CrashReport {
  /** First line of the error, e.g. `Error: boom at startup`. */
  readonly message: string;
  /**
   * Where it was thrown: the first stack frame in the service's own code, `file:line:col`, relative
   * to the checkout root when inside it (with source maps: the TypeScript file). Null when no frame
   * points at own code.
   */
  readonly location: string | null;
  /** The error's lines as logged: its message and stack frames. */
  readonly lines: readonly string[];
  /** Index of the message line in the lines searched. */
  readonly index: number;
}

const FRAME = /^\s+at\s/;
/** The line Node ends an uncaught error with (`Node.js v20.20.2`). */
const NODE_TRAILER = /^Node\.js v\d/;
// `Error: x`, `TypeError [ERR_X]: x`, `AggregateError`, `Uncaught ...`: the line an error starts with.
const ERROR_HEADER = /^\s*(Uncaught\b|[\w$.]*(Error|Exception)\b)/;

/**
 * Finds the last error with a stack trace in `lines` (a log tail): its message, the frame in own code
 * and its lines. `undefined` when the lines hold no stack trace (e.g. a service that only printed a
 * message and exited 1).
 */
export function findCrashReport(lines: readonly string[], root?: string): CrashReport | undefined {
  let last = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (FRAME.test(lines[i]!)) {
      last = i;
      break;
    }
  }
  if (last < 0) return undefined;
  let first = last;
  while (first > 0 && FRAME.test(lines[first - 1]!)) first--;
  // The message is the block of non-blank lines above the frames; a message may span several lines,
  // and a service may have logged a line of its own right above it: the header closest to the
  // frames that names an error wins, else the block's first line.
  let top = first;
  while (top > 0 && lines[top - 1]!.trim() !== '' && !FRAME.test(lines[top - 1]!)) top--;
  if (top === first) return undefined;
  let start = top;
  for (let i = first - 1; i >= top; i--) {
    if (ERROR_HEADER.test(lines[i]!)) {
      start = i;
      break;
    }
  }
  const frames = lines.slice(first, last + 1);
  return {
    message: lines[start]!.trim(),
    location: frames.map((frame) => ownLocation(frame, root)).find((at) => at !== null) ?? null,
    lines: lines.slice(start, last + 1),
    index: start,
  };
}

/** `path:line:col` of a stack frame outside Node's internals and node_modules, else null. */
function ownLocation(frame: string, root: string | undefined): string | null {
  const text = frame.trim().replace(/^at\s+/, '');
  const inParens = /\(([^()]*)\)$/.exec(text);
  const where = /^(.*):(\d+):(\d+)$/.exec(inParens ? inParens[1]! : text);
  if (!where) return null;
  let path = where[1]!.replace(/^async\s+/, '');
  if (path.startsWith('node:') || path.includes('/node_modules/') || path === '<anonymous>') return null;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return null;
    }
  }
  if (!isAbsolute(path)) return null;
  const inside = root === undefined ? undefined : relative(root, path);
  const shown = inside !== undefined && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
  return `${shown}:${where[2]}:${where[3]}`;
}

/**
 * The lines of a log tail worth showing for a crash: from the error's message on, without blank
 * lines and Node's trailer (so a long stack never pushes the message out), else the last lines.
 */
export function crashTail(lines: readonly string[], report: CrashReport | undefined, max: number): string[] {
  if (!report) return lines.slice(-max);
  return lines
    .slice(report.index)
    .filter((line) => line.trim() !== '' && !NODE_TRAILER.test(line))
    .slice(0, max);
}
