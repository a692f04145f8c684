import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { ServiceStatus } from '../supervisor/supervisor.js';

/** Last `count` lines of a log file ('' when it does not exist); reads at most the final 64 KiB. */
export function readLogTail(path: string, count: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(path).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count).join('\n');
  } finally {
    closeSync(fd);
  }
}

/** A service that did not become healthy; the message carries its state, log tail and the fix. */
export class ServiceStartError extends Error {
  readonly service: string;
  readonly status: ServiceStatus | undefined;
  readonly logTail: string;

  constructor(service: string, reason: string, details: { status?: ServiceStatus; logPath: string }) {
    const logTail = readLogTail(details.logPath, 15);
    const state = details.status
      ? `\n  state: ${details.status.state}${details.status.reason ? ` (${details.status.reason})` : ''}`
      : '';
    const tail = logTail
      ? `\n  last lines of ${details.logPath}:\n${logTail.replace(/^/gm, '    | ')}`
      : `\n  ${details.logPath} is empty`;
    super(
      `Unable to start ${service}: ${reason}${state}${tail}\n` +
        `  Fix the cause above, then run \`pnpm start\` again (it keeps what already runs); ` +
        `\`pnpm logs --service ${service}\` shows the whole log.`,
    );
    this.name = 'ServiceStartError';
    this.service = service;
    this.status = details.status;
    this.logTail = logTail;
  }
}
