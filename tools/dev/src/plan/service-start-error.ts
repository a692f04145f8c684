import { type CrashReport, crashTail, findCrashReport } from '../logs/find-crash-report.js';
import { readLogTail } from '../logs/read-last-lines.js';
import type { ServiceStatus } from '../supervisor/supervisor.js';

const TAIL_LINES = 15;
/** Lines searched for the error a service died of (a deep stack trace is longer than the tail). */
const SEARCH_LINES = 80;

/**
 * How the user gets a service back after a failed start: run `pnpm start` again, or, while a watch
 * session runs, save a fix (the session rebuilds and starts it again).
 */
export type Recovery = 'run-start' | 'save-fix';

/** What a ServiceStartError is built from. */
export interface ServiceStartDetails {
  readonly status?: ServiceStatus | undefined;
  readonly logPath: string;
  /** The last lines of the log; the service's own error and what follows it when one was found. */
  readonly logTail: readonly string[];
  /** The error the service died of, when its log holds a stack trace. */
  readonly report?: CrashReport | undefined;
  readonly recovery?: Recovery;
}

/**
 * A service that did not become healthy. The message leads with the error the service printed and
 * where it was thrown (the TypeScript source, through source maps), then its state, the log tail
 * and advice that fits where the user is.
 */
export class ServiceStartError extends Error {
  readonly service: string;
  readonly status: ServiceStatus | undefined;
  readonly logTail: readonly string[];
  readonly report: CrashReport | undefined;

  constructor(service: string, reason: string, details: ServiceStartDetails) {
    const { report, status } = details;
    // The supervisor's reason is often the reason already given (`it hit the crash loop: ...`).
    const why = status?.reason && !reason.includes(status.reason) ? ` (${status.reason})` : '';
    const state = status ? `state: ${status.state}${why}` : undefined;
    const lead = report
      ? `${report.message}${report.location ? `\n    at ${report.location}` : ''}\n  ${reason}${state ? `; ${state}` : ''}`
      : `${reason}${state ? `\n  ${state}` : ''}`;
    const tail =
      details.logTail.length > 0
        ? `\n  last lines of ${details.logPath}:\n${details.logTail.map((line) => `    | ${line}`).join('\n')}`
        : `\n  ${details.logPath} is empty`;
    const logs = `\`pnpm logs --service ${service}\` shows the whole log.`;
    const advice =
      details.recovery === 'save-fix'
        ? `  Save a fix: the watch session rebuilds ${service} and starts it again. ${logs}`
        : `  Fix the cause above, then run \`pnpm start\` again (it keeps what already runs); ${logs}`;
    super(`Unable to start ${service}: ${lead}${tail}\n${advice}`);
    this.name = 'ServiceStartError';
    this.service = service;
    this.status = status;
    this.logTail = details.logTail;
    this.report = report;
  }
}

/**
 * Builds a ServiceStartError from the service's log: the error it died of (searched in the last
 * lines) and the tail from that error's message on, so the message is never cut off by its frames.
 */
export async function serviceStartError(
  service: string,
  reason: string,
  details: {
    status?: ServiceStatus | undefined;
    logPath: string;
    /** Checkout root: error locations inside it are shown relative to it. */
    root?: string;
    recovery?: Recovery;
  },
): Promise<ServiceStartError> {
  const lines = (await readLogTail(details.logPath, SEARCH_LINES).catch(() => undefined)) ?? [];
  const report = findCrashReport(lines, details.root);
  const logTail = crashTail(lines, report, TAIL_LINES);
  return new ServiceStartError(service, reason, { ...details, logTail, report });
}
