import { processStartTimeSync } from '@nexu/service-kit';
import type { Checkout } from '../checkout/checkout.js';
import { devStatusPath } from '../checkout/dev-status-path.js';
import { answersAsOurs } from '../checkout/service-identity.js';
import { probeHealth } from '../health/probe-health.js';
import { crashTail, findCrashReport } from '../logs/find-crash-report.js';
import { readLogTail } from '../logs/read-last-lines.js';
import { readServiceEnvFiles } from '../services/env-files.js';
import type { ServiceName, ServiceSpec } from '../services/manifest.js';
import { passThroughNames } from '../services/unit-spec.js';
import { createDevStatusWriter, type DevStatusWriter } from './dev-status-writer.js';
import type { FollowedTarget } from './followed-target.js';

/** Lines of a crashed service's log the dashboard shows. */
const CRASH_LINES = 15;
/** Lines searched for the error it died of. */
const SEARCH_LINES = 80;

/**
 * Starts the watch session's status file (`.tmp/dev/dev-status.json`), which the dashboard's server
 * pushes to open pages: each service's facts as `pnpm status` reads them (supervisor + `/health`),
 * and, for a crashed one, the error in its log. Reload events are fed in by the session.
 */
export async function startWatchStatus(options: {
  readonly checkout: Checkout;
  /** The units the session reloads (followed when another `pnpm start` moves them). */
  readonly target: FollowedTarget;
  readonly services: readonly ServiceSpec[];
  readonly log: (service: ServiceName, line: string) => void;
}): Promise<DevStatusWriter> {
  const { checkout, target } = options;
  const first = target.current();
  const services = options.services.flatMap((spec) => {
    const unit = first.units[spec.name];
    return unit ? [{ spec, unit }] : [];
  });
  // The unit as the session reloads it now: another `pnpm start` may have moved it.
  const find = (name: ServiceName) => {
    const { spec, unit } = services.find(({ spec }) => spec.name === name)!;
    return { spec, unit: target.current().units[name] ?? unit };
  };
  let reported = false;
  return createDevStatusWriter({
    path: devStatusPath(checkout),
    backend: first.supervisor.backend,
    services: services.map(({ spec, unit }) => ({ name: spec.name, port: unit.port, logPath: unit.logPath })),
    async readFacts(name) {
      const { spec, unit } = find(name);
      const status = await target.current().supervisor.status(unit);
      const health = status.pid ? await probeHealth(unit.port, spec.healthPath) : undefined;
      const healthy = answersAsOurs(health, { instance: checkout.id, pid: status.pid });
      return {
        state: status.state,
        pid: status.pid,
        port: unit.port,
        healthy,
        startedAt: healthy ? health.answer.startedAt : null,
        restarts: status.restarts,
        reason: status.reason ?? null,
      };
    },
    async readCrash(name, reason) {
      const lines = (await readLogTail(find(name).unit.logPath, SEARCH_LINES).catch(() => undefined)) ?? [];
      const found = findCrashReport(lines, checkout.root);
      return {
        reason,
        message: found?.message ?? null,
        location: found?.location ?? null,
        lines: crashTail(lines, found, CRASH_LINES),
      };
    },
    watcher: {
      pid: process.pid,
      startTime: processStartTimeSync(process.pid) ?? '',
      startedAt: new Date(performance.timeOrigin).toISOString(),
    },
    secrets: [
      ...passThroughNames(process.env).flatMap((name) => process.env[name] ?? []),
      ...envFileSecrets(options.services, checkout),
    ],
    onError(error) {
      // Once per session: the dashboard only misses updates, the terminal has everything.
      if (reported) return;
      reported = true;
      options.log('web', `Unable to update the dashboard's dev status: ${error.message}`);
    },
  });
}

/**
 * Values of the services' `.env` files long enough to be secrets (API keys, tokens): a crash's log
 * lines on the dashboard show them as `***`. Short ones (`1`, `true`, a port) would only garble the text.
 */
function envFileSecrets(services: readonly ServiceSpec[], checkout: Checkout): string[] {
  return services.flatMap((spec) => {
    try {
      return Object.values(readServiceEnvFiles(spec, checkout).values).filter((value) => value.length >= 8);
    } catch {
      return [];
    }
  });
}
