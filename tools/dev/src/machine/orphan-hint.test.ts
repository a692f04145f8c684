import { describe, expect, it } from 'vitest';
import type { MachineUnit } from '../supervisor/supervisor.js';
import type { MachinePresence, MachineService } from './machine-services.js';
import { renderOrphanHint } from './orphan-hint.js';

const service = (
  checkoutId: string,
  name: string,
  presence: MachinePresence,
  options: { pid?: number | null; port?: number } = {},
): MachineService => {
  const unit: MachineUnit = {
    label: `io.nexu.${name}.${checkoutId}.dev`,
    service: name,
    checkoutId,
    backend: 'systemd',
    marker: checkoutId,
    root: `/src/${checkoutId}`,
    ...(options.port ? { port: options.port } : {}),
    status: {
      label: `io.nexu.${name}.${checkoutId}.dev`,
      state: options.pid === null ? 'stopped' : 'running',
      pid: options.pid === undefined ? 100 : options.pid,
      restarts: 0,
      lastExit: null,
    },
  };
  return { unit, presence, movedTo: null };
};

describe('renderOrphanHint', () => {
  it('says nothing when every checkout is where it was', () => {
    expect(renderOrphanHint([service('aaaa0001', 'gateway', 'live', { port: 18789 })])).toBeNull();
    expect(renderOrphanHint([])).toBeNull();
  });

  it('names the running services of one deleted checkout and their ports', () => {
    expect(
      renderOrphanHint([
        service('aaaa0001', 'controller', 'deleted', { port: 18790 }),
        service('aaaa0001', 'web', 'deleted', { port: 18791 }),
        service('bbbb0002', 'web', 'live', { port: 18800 }),
      ]),
    ).toBe('2 services of a deleted checkout still run on 18790, 18791: pnpm stop --orphans');
  });

  it('counts checkouts and kinds when there are several', () => {
    expect(
      renderOrphanHint([
        service('aaaa0001', 'gateway', 'deleted', { port: 18789 }),
        service('bbbb0002', 'gateway', 'moved', { port: 19789 }),
      ]),
    ).toBe('2 services of 2 deleted or moved checkouts still run on 18789, 19789: pnpm stop --orphans');
    expect(renderOrphanHint([service('aaaa0001', 'gateway', 'moved', { port: 18789 })])).toBe(
      '1 service of a moved checkout still runs on 18789: pnpm stop --orphans',
    );
  });

  it('says installed, not running, when nothing of them runs', () => {
    expect(renderOrphanHint([service('aaaa0001', 'gateway', 'deleted', { pid: null, port: 18789 })])).toBe(
      '1 service of a deleted checkout remains installed: pnpm stop --orphans',
    );
  });

  it("points a moved checkout at taking back its previous location's services", () => {
    expect(
      renderOrphanHint([service('aaaa0001', 'gateway', 'deleted', { port: 18789 })], {
        checkoutId: 'aaaa0001',
        root: '/src/old',
      }),
    ).toBe(
      "1 service of this checkout's previous location (/src/old) still runs on 18789: pnpm start takes it over, pnpm stop stops it",
    );
  });

  it('never counts a unit whose checkout cannot be told as an orphan', () => {
    expect(renderOrphanHint([service('aaaa0001', 'gateway', 'unknown', { port: 18789 })])).toBeNull();
  });
});
