import { existsSync } from 'node:fs';
import type { Checkout } from '../checkout/checkout.js';
import { acquireLock } from '../checkout/lock.js';
import type { Reporter } from '../format/reporter.js';
import { probeHealth } from '../health/probe-health.js';
import { executeStep } from '../plan/execute-step.js';
import { type LedgerEntry, readLedger, writeLedger } from '../ports/ledger.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { type ServiceName, type ServiceSpec, serviceRank } from '../services/manifest.js';
import { dependentsOf } from '../services/service-closure.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import { selectSupervisor } from '../supervisor/select-supervisor.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { ensureBuilt } from './ensure-built.js';

export interface RestartOptions {
  readonly checkout: Checkout;
  /** The services to restart, in manifest order (already validated). */
  readonly services: readonly ServiceSpec[];
  /** Also restart the services that depend on them (default: left alone, they reconnect). */
  readonly withDependents?: boolean;
  readonly reporter: Reporter;
  /** How long one service may take to answer `/health` after its restart (default 30 s). */
  readonly readyTimeoutMs?: number;
}

/** One row of the restart table. */
export interface RestartedService {
  readonly name: ServiceName;
  readonly url: string;
  readonly pid: number;
  /** The pid it had before. */
  readonly previousPid: number | null;
  readonly durationMs: number;
}

export type RestartResult =
  | {
      readonly ok: true;
      readonly backend: BackendName;
      readonly services: readonly RestartedService[];
      readonly totalMs: number;
    }
  /** Some named service does not run: nothing was restarted (a restart never starts silently). */
  | { readonly ok: false; readonly notRunning: readonly ServiceName[] };

/**
 * `pnpm restart`: restarts running services through their supervisor (`kickstart -k`, `systemctl
 * restart`, the keeper), one after another in dependency order, after building any whose sources
 * are newer than its build, and waits until each answers `/health` as a new process of this
 * checkout. A unit that no longer renders as installed (a changed `.env`) is replaced instead.
 * Dependents are left alone unless asked for. Holds the checkout's lock, so a watching session's
 * reload waits and then sees the new process (it restarts nothing again).
 */
export async function restartServices(options: RestartOptions): Promise<RestartResult> {
  const began = performance.now();
  const { checkout, reporter } = options;
  const names = options.services.map((s) => s.name);
  // Dependencies first (the manifest's order), each once.
  const ordered = [
    ...new Set([...options.services, ...(options.withDependents ? dependentsOf(names) : [])]),
  ].sort((a, b) => serviceRank(a.name) - serviceRank(b.name));
  // Nothing recorded, nothing runs: no lock (nor state folder) is taken for that.
  if (!existsSync(checkout.ledgerPath)) return { ok: false, notRunning: names };
  const lock = await acquireLock(checkout, { command: 'pnpm restart', waitMs: 30_000 });
  try {
    const { ledger } = await readLedger(checkout);
    if (!ledger) return { ok: false, notRunning: names };
    const supervisor = await selectSupervisor({ backend: ledger.backend, checkout });
    const ports = expectedPorts(checkout, ledger);
    const targets = await Promise.all(
      ordered.map(async (spec) => {
        const unit = resolveUnitSpec(spec, checkout, ports);
        const status = await supervisor.status(unit);
        const running = status.pid !== null && (status.state === 'running' || status.state === 'starting');
        return { spec, unit, running, pid: status.pid };
      }),
    );
    // A named service must run; a dependent that does not is simply not restarted.
    const notRunning = targets
      .filter((t) => !t.running && names.includes(t.spec.name))
      .map((t) => t.spec.name);
    if (notRunning.length > 0) return { ok: false, notRunning };
    const running = targets.filter((t) => t.running);

    await ensureBuilt(
      running.map((t) => t.spec),
      checkout,
      reporter,
    );
    const rows: RestartedService[] = [];
    const entries: Partial<Record<ServiceName, LedgerEntry>> = {};
    for (const { spec, unit, pid } of running) {
      const drift = await supervisor.drift(unit);
      const before = await probeHealth(unit.port, spec.healthPath);
      const outcome = await executeStep(
        {
          spec,
          action: 'replace',
          reason: 'restart',
          cause: drift && drift.length > 0 ? `unit changed: ${drift.join(', ')}` : 'restart',
          unit,
          install: drift === null || drift.length > 0,
          running: before.ok ? before.answer.pid : pid,
        },
        { checkout, supervisor, reporter: quiet(reporter), readyTimeoutMs: options.readyTimeoutMs ?? 30_000 },
      );
      entries[spec.name] = outcome.entry;
      rows.push({
        name: spec.name,
        url: outcome.url,
        pid: outcome.pid,
        previousPid: pid,
        durationMs: outcome.durationMs,
      });
    }
    const latest = (await readLedger(checkout)).ledger ?? ledger;
    await writeLedger(checkout, {
      ...latest,
      updatedAt: new Date().toISOString(),
      services: { ...latest.services, ...entries },
    });
    return { ok: true, backend: supervisor.backend, services: rows, totalMs: performance.now() - began };
  } finally {
    await lock.release();
  }
}

/** The step's progress lines ("replacing on ...") are noise here; warnings still reach the user. */
function quiet(reporter: Reporter): Reporter {
  return { info: () => {}, warn: (line) => reporter.warn(line), print: (text) => reporter.print(text) };
}
