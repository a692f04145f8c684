import { afterEach, describe, expect, it } from 'vitest';
import { expectedPorts } from '../ports/resolve-port.js';
import { SERVICES } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import type { PortLost } from './execute-step.js';
import type { ServiceStep } from './plan-start.js';
import { replanLostPort } from './replan-lost-port.js';

const controller = SERVICES.find((spec) => spec.name === 'controller')!;

describe('replanLostPort', () => {
  let temp: TempCheckout | undefined;
  afterEach(() => temp?.remove());

  /** The controller's `replace` step on its expected port, as `planStart` gives it. */
  function replaceStep() {
    temp = createTempCheckout({ services: false });
    const { checkout } = temp;
    const ports = expectedPorts(checkout, null);
    const step: ServiceStep = {
      spec: controller,
      action: 'replace',
      reason: 'unit changed: env.API_KEY',
      cause: 'unit changed: env.API_KEY',
      unit: resolveUnitSpec(controller, checkout, ports),
      install: false,
      running: 4242,
    };
    return { checkout, ports, step, taken: new Set([ports.gateway, ports.web]) };
  }

  it('moves a service whose port was taken before it bound it: another port, started anew, the move as its reason', async () => {
    const { checkout, ports, step, taken } = replaceStep();
    const lost: PortLost = {
      lost: 'address-in-use',
      port: ports.controller,
      description: 'was taken before it could bind it',
    };
    const moved = await replanLostPort(step, lost, { checkout, ports, taken });
    const port = moved.unit.port;
    expect([ports.controller, ...taken]).not.toContain(port);
    expect(moved.unit.env.PORT).toBe(String(port));
    const note = `port ${ports.controller} was taken before it could bind it: using ${port} instead`;
    expect(moved).toMatchObject({
      action: 'start',
      running: null,
      install: true,
      cause: note,
      reason: note,
      portNote: note,
    });
  });

  it('moves a service off a leftover that could not be stopped, keeping what it was planned for', async () => {
    const { checkout, ports, step, taken } = replaceStep();
    const lost: PortLost = {
      lost: 'leftover',
      port: ports.controller,
      description: 'is still held by pid 99, a leftover of this checkout that could not be stopped',
    };
    const moved = await replanLostPort(step, lost, { checkout, ports, taken });
    const port = moved.unit.port;
    expect([ports.controller, ...taken]).not.toContain(port);
    expect(moved).toMatchObject({
      action: 'replace',
      running: 4242,
      install: true,
      cause: step.cause,
      portNote: `port ${ports.controller} ${lost.description}: using ${port} instead`,
    });
    expect(moved.stale).toBeUndefined();
  });
});
