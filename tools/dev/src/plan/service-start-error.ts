import { readLogTail } from '../logs/read-last-lines.js';
import type { ServiceStatus } from '../supervisor/supervisor.js';

const TAIL_LINES = 15;

/** A service that did not become healthy; the message carries its state, log tail and the fix. */
export class ServiceStartError extends Error {
  readonly service: string;
  readonly status: ServiceStatus | undefined;
  readonly logTail: readonly string[];

  constructor(
    service: string,
    reason: string,
    details: { status?: ServiceStatus | undefined; logPath: string; logTail: readonly string[] },
  ) {
    const state = details.status
      ? `\n  state: ${details.status.state}${details.status.reason ? ` (${details.status.reason})` : ''}`
      : '';
    const tail =
      details.logTail.length > 0
        ? `\n  last lines of ${details.logPath}:\n${details.logTail.map((line) => `    | ${line}`).join('\n')}`
        : `\n  ${details.logPath} is empty`;
    super(
      `Unable to start ${service}: ${reason}${state}${tail}\n` +
        '  Fix the cause above, then run `pnpm start` again (it keeps what already runs); ' +
        `\`pnpm logs --service ${service}\` shows the whole log.`,
    );
    this.name = 'ServiceStartError';
    this.service = service;
    this.status = details.status;
    this.logTail = details.logTail;
  }
}

/** Builds a ServiceStartError with the last lines of the service's log. */
export async function serviceStartError(
  service: string,
  reason: string,
  details: { status?: ServiceStatus | undefined; logPath: string },
): Promise<ServiceStartError> {
  const logTail = (await readLogTail(details.logPath, TAIL_LINES).catch(() => undefined)) ?? [];
  return new ServiceStartError(service, reason, { ...details, logTail });
}
