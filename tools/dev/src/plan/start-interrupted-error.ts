import type { ServiceName } from '../services/manifest.js';

/** How an interrupted start left the services. */
export interface InterruptedState {
  /** Services that run now (recorded in the ledger). */
  readonly running: readonly ServiceName[];
  /** Services that do not run. */
  readonly notRunning: readonly ServiceName[];
}

const list = (names: readonly ServiceName[]) =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/**
 * The command was interrupted (Ctrl-C, a closed terminal, SIGTERM) before it was done; once the
 * start has recorded what runs, the message says what it left and what to run next, in one line.
 */
export class StartInterruptedError extends Error {
  readonly state: InterruptedState | undefined;

  constructor(state?: InterruptedState) {
    super(state ? describeInterruptedState(state) : 'Interrupted.');
    this.name = 'StartInterruptedError';
    this.state = state;
  }
}

/** The one line an interrupted `pnpm start` ends with. */
export function describeInterruptedState({ running, notRunning }: InterruptedState): string {
  if (running.length === 0)
    return 'Interrupted before any service started: nothing runs; `pnpm start` starts them.';
  const verb = running.length === 1 ? 'runs' : 'run';
  if (notRunning.length === 0)
    return `Interrupted: ${list(running)} ${verb} (recorded); \`pnpm start\` attaches to them, \`pnpm stop\` stops them.`;
  return `Interrupted: ${list(running)} ${verb} (recorded), ${list(notRunning)} not; \`pnpm start\` finishes the start, \`pnpm stop\` stops what runs.`;
}

/** Throws StartInterruptedError once `signal` is aborted: the point where a start stops going on. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StartInterruptedError();
}
