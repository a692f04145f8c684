import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import type { Checkout } from '../checkout/checkout.js';
import { type StartReport, startServices } from '../commands/start.js';
import { stopServices } from '../commands/stop.js';
import { createMemoryReporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import type { ServiceName } from '../services/manifest.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { watchServices } from '../watch/watch.js';
import type { WatchSession } from '../watch/watch-session.js';
import { isBackendAvailable } from './backend-available.js';
import { createTempCheckout, type TempCheckout } from './temp-checkout.js';

/** One line a watch session printed, with the service it was tagged with. */
export interface LoggedLine {
  readonly service: ServiceName;
  readonly line: string;
}

/** A temp checkout whose services run on a backend, watched for hot reload. */
export interface WatchedCheckout {
  readonly checkout: Checkout;
  readonly report: StartReport;
  readonly session: WatchSession;
  /** Everything the session logged so far (reload lines, build errors). */
  readonly lines: LoggedLine[];
  port(service: ServiceName): number;
  /** The pid the service had when it was started. */
  startPid(service: ServiceName): number;
  /** The pid answering the service's `/health` now (throws when it does not answer). */
  pid(service: ServiceName): Promise<number>;
  /** Reads a file of the checkout (path relative to its root). */
  read(path: string): Promise<string>;
  /** Writes a file of the checkout (path relative to its root), as an editor's save would. */
  write(path: string, text: string): Promise<void>;
  /** Deletes a file of the checkout (path relative to its root). */
  remove(path: string): Promise<void>;
  /** Waits (with a deadline) until the session logged a line matching `pattern`; returns it. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Starts watched temp checkouts on one backend and tears all of them down again. */
export interface WatchedCheckouts {
  /** Whether the backend can run here; in CI an unreachable backend throws instead. */
  available(): Promise<boolean>;
  start(): Promise<WatchedCheckout>;
  /**
   * Closes every watch session, stops the services (`stopServices`), removes the temp dirs.
   * Returns the pids still carrying a checkout's marker afterwards (should be none).
   */
  closeAll(): Promise<number[]>;
}

/** Creates the registry for one backend; call `closeAll()` in `afterEach`. */
export function createWatchedCheckouts(backend: BackendName): WatchedCheckouts {
  const opened: Array<{ temp: TempCheckout; session?: WatchSession }> = [];

  return {
    available() {
      return isBackendAvailable(backend);
    },

    async start() {
      const entry: { temp: TempCheckout; session?: WatchSession } = { temp: createTempCheckout() };
      opened.push(entry);
      const { checkout } = entry.temp;
      const report = await startServices({ checkout, backend, reporter: createMemoryReporter() });
      const lines: LoggedLine[] = [];
      // The type check has its own tests; here it would only compete for the CPU with the rebuilds.
      entry.session = await watchServices({
        checkout,
        report,
        typecheck: false,
        log: (service, line) => lines.push({ service, line }),
      });
      const serviceOf = (name: ServiceName) => {
        const service = report.services.find((s) => s.name === name);
        if (!service) throw new Error(`${name} is not in the start report`);
        return service;
      };
      return {
        checkout,
        report,
        session: entry.session,
        lines,
        port: (name) => serviceOf(name).port,
        startPid: (name) => serviceOf(name).pid,
        async pid(name) {
          const health = await probeHealth(serviceOf(name).port);
          if (!health.ok) throw new Error(`${name} does not answer /health: ${health.reason}`);
          return health.answer.pid;
        },
        read: (path) => readFile(join(checkout.root, path), 'utf8'),
        write: (path, text) => writeFile(join(checkout.root, path), text),
        remove: (path) => rm(join(checkout.root, path)),
        async waitForLine(pattern, timeoutMs = 20_000) {
          const found = await waitFor(() => lines.find((l) => pattern.test(l.line))?.line, { timeoutMs });
          if (!found.ok) {
            const seen = lines.map((l) => `  [${l.service}] ${l.line}`).join('\n');
            throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; logged:\n${seen}`);
          }
          return found.value;
        },
      };
    },

    async closeAll() {
      const left: number[] = [];
      for (const { temp, session } of opened.splice(0)) {
        try {
          await session?.close();
          await stopServices({ checkout: temp.checkout, reporter: createMemoryReporter() });
          left.push(...(await findMarkedProcesses(temp.checkout.id)));
        } finally {
          temp.remove();
        }
      }
      return left;
    },
  };
}
