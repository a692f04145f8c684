import { createInterface } from 'node:readline/promises';

/** How a command that stops or deletes a lot gets the user's go-ahead. */
export interface Confirmation {
  /** `--yes`: go ahead without asking. */
  readonly yes: boolean;
  /** Whether a person can answer a question (stdin is a terminal). */
  readonly isTTY: boolean;
  /** Asks a yes/no question; resolves true only for an explicit yes. */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Receives the lines shown before the question. */
  readonly out: (line: string) => void;
}

/** The go-ahead (`--yes` or an answered yes), a refusal for want of a terminal, or a no. */
export type ConfirmationAnswer = 'yes' | 'needs-confirmation' | 'declined';

/** Shows `lines` and asks `question`, unless `--yes`; without a terminal it refuses rather than guess. */
export async function askConfirmation(
  confirmation: Confirmation,
  lines: readonly string[],
  question: string,
): Promise<ConfirmationAnswer> {
  if (confirmation.yes) return 'yes';
  if (!confirmation.isTTY) return 'needs-confirmation';
  for (const line of lines) confirmation.out(line);
  return (await confirmation.confirm(question)) ? 'yes' : 'declined';
}

/** This process's terminal: the lines on stdout, the `[y/N]` question on stderr. */
export function terminalConfirmation(yes: boolean): Confirmation {
  return {
    yes,
    isTTY: process.stdin.isTTY === true,
    out: (line) => console.log(line),
    async confirm(question) {
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await prompt.question(question)).trim());
      } finally {
        prompt.close();
      }
    },
  };
}
