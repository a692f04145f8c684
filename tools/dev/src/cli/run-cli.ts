import { paint } from '../format/color.js';
import { doctorHint } from './doctor-hint.js';

/**
 * Runs a CLI entry point: its resolved number is the exit code; a thrown error prints its message
 * (never a stack trace for expected failures) and exits 1.
 */
export async function runCli(main: () => Promise<number | undefined>): Promise<void> {
  try {
    process.exitCode = (await main()) ?? 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(paint.red(`nexu dev: ${message}`));
    if (process.env.NEXU_DEV_DEBUG && error instanceof Error) console.error(error.stack);
    const hint = doctorHint(error);
    if (hint) console.error(hint);
    process.exitCode = 1;
  }
}
