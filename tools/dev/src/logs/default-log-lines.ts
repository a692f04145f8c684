/** Lines per file shown first when stdout is not a terminal (a pipe, a file, CI). */
export const NON_TTY_LOG_LINES = 40;
/** Fewest lines per file shown first on a terminal, however small. */
export const MIN_LOG_LINES = 10;

/**
 * Default for `--lines`: on a terminal, one screenful shared by the shown logs (rows minus the
 * prompt, at least `MIN_LOG_LINES` each); otherwise `NON_TTY_LOG_LINES` per file.
 */
export function defaultLogLines(terminal: { isTTY: boolean; rows?: number }, fileCount: number): number {
  if (!terminal.isTTY || !terminal.rows) return NON_TTY_LOG_LINES;
  return Math.max(MIN_LOG_LINES, Math.floor((terminal.rows - 2) / Math.max(1, fileCount)));
}
