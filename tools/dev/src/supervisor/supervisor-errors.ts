import { BACKEND_NAMES, type BackendName } from './supervisor.js';

/** A supervisor operation that failed; the message says what, where and how to fix it. */
export class SupervisorError extends Error {
  readonly label: string;
  readonly advice: string | undefined;

  constructor(label: string, what: string, advice?: string) {
    super(`${what} (${label})${advice ? `\n  ${advice}` : ''}`);
    this.name = 'SupervisorError';
    this.label = label;
    this.advice = advice;
  }
}

/** `--backend` / `NEXU_DEV_BACKEND` named no backend we have (the CLI exits 2 on it). */
export class UnknownBackendError extends Error {
  readonly requested: string;
  readonly valid: readonly BackendName[] = BACKEND_NAMES;

  constructor(requested: string) {
    super(`Unknown supervisor backend "${requested}": use one of ${BACKEND_NAMES.join(', ')}.`);
    this.name = 'UnknownBackendError';
    this.requested = requested;
  }
}

/** An explicitly chosen backend cannot run here; `reason` names the fix. */
export class BackendUnavailableError extends Error {
  readonly backend: BackendName;
  readonly reason: string;

  constructor(backend: BackendName, reason: string) {
    super(`The ${backend} backend is not available here: ${reason}`);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
    this.reason = reason;
  }
}
