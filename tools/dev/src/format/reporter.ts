import { paint } from './color.js';

/** Where commands send their human output; tests pass a recording one. */
export interface Reporter {
  /** A progress or result line. */
  info(line: string): void;
  /** Something the user should know (a port moved, a ledger ignored). */
  warn(line: string): void;
  /** Plain output (tables, JSON) printed as is. */
  print(text: string): void;
}

/** Reporter writing to the terminal; chalk drops colour for NO_COLOR and non-TTY output. */
export const consoleReporter: Reporter = {
  info: (line) => console.log(line),
  warn: (line) => console.error(paint.yellow(`warning: ${line}`)),
  print: (text) => console.log(text),
};

/** Reporter that keeps every line, for tests and for `--json` runs that must print one object. */
export function createMemoryReporter(): Reporter & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (line) => lines.push(line),
    warn: (line) => lines.push(`warning: ${line}`),
    print: (text) => lines.push(text),
  };
}
