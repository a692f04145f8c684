import { waitForPortFree } from '../os/port-free.js';
import type { UnitRef } from './supervisor.js';
import { SupervisorError } from './supervisor-errors.js';

/** Waits until every port is free; a port still taken is an error naming it. */
export async function waitForPortsFree(
  unit: UnitRef,
  ports: Iterable<number>,
  timeoutMs: number,
): Promise<void> {
  for (const port of ports) {
    if (!(await waitForPortFree(port, { timeoutMs }))) {
      throw new SupervisorError(
        unit.label,
        `Stopped ${unit.service} but port ${port} is still in use`,
        `Another process holds 127.0.0.1:${port}; \`ss -ltnp 'sport = :${port}'\` (Linux) or \`lsof -nP -iTCP:${port} -sTCP:LISTEN\` (macOS) names it.`,
      );
    }
  }
}
