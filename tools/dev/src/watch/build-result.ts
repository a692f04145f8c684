/** One compiler error, located in a source file when the compiler knows where. */
export interface BuildError {
  /** Path relative to the repo root when inside it, else absolute; `undefined` when unknown. */
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly text: string;
}

/** Outcome of one build: failure is an expected outcome, so it is a result, not an exception. */
export type BuildResult =
  | { readonly ok: true; readonly durationMs: number }
  | { readonly ok: false; readonly durationMs: number; readonly errors: readonly BuildError[] };

/** `file:line:col: message`, one line per error (the message's own extra lines indented below). */
export function formatBuildErrors(errors: readonly BuildError[]): string {
  return errors
    .map((e) => {
      const where =
        e.file === undefined
          ? ''
          : `${[e.file, e.line, e.column].filter((p) => p !== undefined).join(':')}: `;
      return `${where}${e.text}`;
    })
    .join('\n');
}
