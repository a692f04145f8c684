import type { PreviousLocation } from '../ports/ledger.js';
import { isOrphaned, listMachineServices, type MachineService } from './machine-services.js';

type Previous = Pick<PreviousLocation, 'checkoutId' | 'root'>;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The one line `pnpm start` and `pnpm status` print when services of deleted or moved checkouts
 * remain on the machine (null when none do): "2 services of a deleted checkout still run on 18790,
 * 18791: pnpm stop --orphans". Those of this checkout's own previous location say how it takes them back.
 */
export function renderOrphanHint(services: readonly MachineService[], previous?: Previous): string | null {
  const orphans = services.filter(isOrphaned);
  if (orphans.length === 0) return null;
  const running = orphans.filter((s) => s.unit.status.pid !== null);
  const ports = [...new Set(running.flatMap((s) => (s.unit.port ? [s.unit.port] : [])))].sort(
    (a, b) => a - b,
  );
  const counted = running.length > 0 ? running : orphans;
  const one = counted.length === 1;
  const verb =
    running.length > 0 ? (one ? 'still runs' : 'still run') : one ? 'remains installed' : 'remain installed';
  const where = ports.length > 0 && running.length > 0 ? ` on ${ports.join(', ')}` : '';
  const services_ = plural(counted.length, 'service', 'services');
  if (previous && orphans.every((s) => s.unit.checkoutId === previous.checkoutId)) {
    const them = one ? 'it' : 'them';
    return `${services_} of this checkout's previous location (${previous.root}) ${verb}${where}: pnpm start takes ${them} over, pnpm stop stops ${them}`;
  }
  const checkouts = new Set(orphans.map((s) => s.unit.checkoutId)).size;
  const kinds = new Set(orphans.map((s) => s.presence));
  const kind = kinds.size > 1 ? 'deleted or moved' : [...kinds][0];
  const whose = checkouts === 1 ? `a ${kind} checkout` : `${checkouts} ${kind} checkouts`;
  return `${services_} of ${whose} ${verb}${where}: pnpm stop --orphans`;
}

/**
 * Looks for orphans cheaply enough to run on every start and status: every backend is asked once,
 * without preflight, leaving out this checkout's own units (a unit folder or registry read, plus
 * one batched supervisor query when other checkouts' units exist; launchd prints those jobs).
 */
export async function findOrphanHint(options: {
  readonly checkoutId: string;
  readonly previous?: Previous;
}): Promise<string | null> {
  const { services } = await listMachineServices({ except: options.checkoutId });
  return renderOrphanHint(services, options.previous);
}
