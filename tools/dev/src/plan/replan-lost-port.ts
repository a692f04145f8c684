import type { Checkout } from '../checkout/checkout.js';
import { resolvePort } from '../ports/resolve-port.js';
import { type ServicePorts, withPort } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import type { PortLost } from './execute-step.js';
import type { ServiceStep } from './plan-start.js';

/** What a lost port is re-planned from: the plan's ports and the ports its other services have. */
export interface ReplanContext {
  readonly checkout: Checkout;
  /** The port of every service of the manifest the plan's units were rendered with. */
  readonly ports: ServicePorts;
  /** The other services' ports: never given to the one that moves. */
  readonly taken: ReadonlySet<number>;
}

/**
 * The start's answer to a step that lost its port (`PortLost`): the port decided again by the one
 * port decision (`resolvePort`, the lost port and `taken` excluded) and the step planned anew on
 * it, its unit rendered on the new port and installed. After a failed bind nothing of the service
 * runs: it is started, and the move is its reason.
 */
export async function replanLostPort(
  step: ServiceStep,
  lost: PortLost,
  context: ReplanContext,
): Promise<ServiceStep> {
  const { spec } = step;
  const { checkout, taken } = context;
  const resolved = await resolvePort({
    spec,
    checkout,
    ledger: null,
    servicePid: null,
    peerPids: [],
    taken,
    lost,
  });
  // A lost port always moves the service, with a note saying why.
  const note = resolved.note!;
  const moved = {
    spec,
    unit: resolveUnitSpec(spec, checkout, withPort(context.ports, spec.name, resolved.port)),
    install: true,
    portNote: note,
  };
  if (lost.lost === 'leftover') {
    return {
      ...moved,
      action: step.action,
      cause: step.cause,
      reason: `${step.cause}; ${note}`,
      running: step.running,
    };
  }
  return { ...moved, action: 'start', cause: note, reason: note, running: null };
}
