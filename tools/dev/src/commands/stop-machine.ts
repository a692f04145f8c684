import { resolveCheckout } from '../checkout/checkout.js';
import { askConfirmation, type Confirmation } from '../format/confirmation.js';
import type { Reporter } from '../format/reporter.js';
import { isOrphaned, listMachineServices, type MachineService } from '../machine/machine-services.js';
import { stopMachineUnit } from '../machine/stop-machine-unit.js';
import { stopServices } from './stop.js';

/** What `pnpm stop --orphans` / `--all` did. */
export interface StopMachineReport {
  /** Labels stopped and uninstalled. */
  readonly stopped: readonly string[];
  /** Units that could not be stopped (or were not proven ours), with why. */
  readonly failed: ReadonlyArray<{ readonly label: string; readonly reason: string }>;
}

const whose = (s: MachineService) =>
  s.presence === 'live' ? `checkout ${s.unit.root}` : `${s.presence} checkout ${s.unit.root}`;

/**
 * Stops machine units through their own backend, each verified first, all at once (launchd's
 * bootouts then drain together); reports each, in the listing's order.
 */
async function stopUnits(
  services: readonly MachineService[],
  orphan: boolean,
  reporter: Reporter,
): Promise<StopMachineReport> {
  const stopped: string[] = [];
  const failed: Array<{ label: string; reason: string }> = [];
  const results = await Promise.all(services.map((s) => stopMachineUnit(s.unit, { orphan })));
  services.forEach((s, index) => {
    const { unit } = s;
    const result = results[index]!;
    if (result.ok) {
      stopped.push(unit.label);
      reporter.info(`Stopped ${unit.service} (${unit.label}) of ${whose(s)}`);
    } else {
      failed.push({ label: unit.label, reason: result.reason });
      reporter.warn(`Unable to stop ${unit.service} (${unit.label}): ${result.reason}`);
    }
  });
  return { stopped, failed };
}

/**
 * `pnpm stop --orphans`: stops and uninstalls the services of checkouts that were deleted or moved
 * away, each proven ours (`verifyMachineUnit`) right before. Live checkouts are never touched.
 * Idempotent: with no orphan it says so and does nothing.
 */
export async function stopOrphanedServices(options: { reporter: Reporter }): Promise<StopMachineReport> {
  const { services, problems } = await listMachineServices();
  for (const problem of problems) options.reporter.warn(problem);
  const orphans = services.filter(isOrphaned);
  if (orphans.length === 0) {
    options.reporter.info('Nothing to stop: no service of a deleted or moved checkout is installed.');
    return { stopped: [], failed: [] };
  }
  return stopUnits(orphans, true, options.reporter);
}

export interface StopAllOptions extends Confirmation {
  readonly reporter: Reporter;
}

export type StopAllResult =
  | ({ readonly ok: true } & StopMachineReport)
  | {
      readonly ok: false;
      readonly reason: 'needs-confirmation' | 'declined' | 'failed';
      readonly message: string;
    };

/** The list `pnpm stop --all` asks about: one line per checkout and backend. */
function describeAll(services: readonly MachineService[]): string[] {
  const groups = new Map<string, MachineService[]>();
  for (const s of services) {
    const key = `${s.unit.checkoutId}\0${s.unit.backend}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((group) => {
    const [first] = group as [MachineService];
    const where = first.presence === 'live' ? 'live' : `orphaned (${first.presence})`;
    const names = group.map((s) => s.unit.service).join(', ');
    return `  ${first.unit.checkoutId}  ${first.unit.root ?? '?'}  ${where}  ${first.unit.backend}: ${names}`;
  });
}

/**
 * `pnpm stop --all`: every checkout's dev services on this machine. Asks first on a terminal (with
 * the list); `--yes` skips the question; without a terminal and without `--yes` it refuses and
 * stops nothing. A live checkout is stopped as `pnpm stop` in it would (its lock, its ledger, its
 * leftovers); services of gone checkouts are stopped alongside, each verified, then any unit still left.
 */
export async function stopAllServices(options: StopAllOptions): Promise<StopAllResult> {
  const { reporter } = options;
  const { services, problems } = await listMachineServices();
  for (const problem of problems) reporter.warn(problem);
  if (services.length === 0) {
    reporter.info('Nothing to stop: no nexu dev service is installed on this machine.');
    return { ok: true, stopped: [], failed: [] };
  }
  const answer = await askConfirmation(
    options,
    ['This stops and uninstalls every nexu dev service on this machine:', ...describeAll(services)],
    `Stop these ${services.length} services? [y/N] `,
  );
  if (answer === 'needs-confirmation') {
    return {
      ok: false,
      reason: answer,
      message: `Refusing to stop the ${services.length} nexu dev services of every checkout without confirmation: no terminal to ask on, pass --yes to confirm.`,
    };
  }
  if (answer === 'declined') return { ok: false, reason: answer, message: 'Nothing was stopped.' };

  const stopped: string[] = [];
  const failed: Array<{ label: string; reason: string }> = [];
  const liveRoots = new Set(services.filter((s) => s.presence === 'live').map((s) => s.unit.root!));
  const busy = new Set<string>();
  // Every live checkout (each under its own lock) and every gone checkout's unit at once: their
  // jobs are booted out together (launchd then drains them together).
  const stopLive = async (root: string) => {
    try {
      const report = await stopServices({
        checkout: resolveCheckout(root),
        reporter,
        command: 'pnpm stop --all',
      });
      stopped.push(...report.units);
    } catch (error) {
      // Its lock is held (a start under way): leave it to that command rather than race it.
      busy.add(root);
      const reason = (error as Error).message;
      reporter.warn(`Unable to stop the services of checkout ${root}: ${reason}`);
      for (const s of services) if (s.unit.root === root) failed.push({ label: s.unit.label, reason });
    }
  };
  const others = services.filter((s) => !liveRoots.has(s.unit.root ?? ''));
  const [, first] = await Promise.all([
    Promise.all([...liveRoots].map(stopLive)),
    stopUnits(others, false, reporter),
  ]);
  stopped.push(...first.stopped);
  failed.push(...first.failed);
  // What is left: whatever a live checkout's stop did not reach.
  const targeted = new Set(services.map((s) => s.unit.label));
  const done = new Set([...stopped, ...failed.map((f) => f.label)]);
  const left = (await listMachineServices()).services.filter(
    (s) => targeted.has(s.unit.label) && !done.has(s.unit.label) && !busy.has(s.unit.root ?? ''),
  );
  const rest = await stopUnits(left, false, reporter);
  stopped.push(...rest.stopped);
  failed.push(...rest.failed);
  if (failed.length > 0) {
    return {
      ok: false,
      reason: 'failed',
      message: `${failed.length} of ${services.length} services could not be stopped (see above).`,
    };
  }
  return { ok: true, stopped, failed };
}
