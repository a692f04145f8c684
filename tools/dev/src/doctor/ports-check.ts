import { findPortOwner } from '../os/port-owner.js';
import { type CheckResult, type DoctorCheck, ok, warn } from './doctor-check.js';

/**
 * For each service, the port the next `pnpm start` would use (the start planner's own resolution)
 * and whether it is free, ours, or held by a foreign process, and what start will do about it.
 */
export const portsCheck: DoctorCheck = {
  id: 'ports',
  async run({ preview }) {
    const { facts } = await preview();
    return Promise.all(
      facts.services.map(async ({ spec, port }): Promise<CheckResult> => {
        const id = `ports.${spec.name}`;
        const { holder, expected } = port;
        switch (holder.kind) {
          case 'free':
            return ok(id, `${spec.name}: ${expected} is free`);
          case 'service':
            return ok(id, `${spec.name}: ${expected} is held by its own process (pid ${holder.pid})`);
          case 'stale':
            return warn(
              id,
              `${spec.name}: ${expected} is held by pid ${holder.process.pid}, a leftover of this checkout no unit runs: pnpm start stops it`,
              'Nothing to do: pnpm start (or pnpm stop) stops it.',
            );
          case 'foreign': {
            const owner = await findPortOwner(expected);
            const stop =
              owner.status === 'listening'
                ? `If pid ${owner.pid} is yours to stop: \`kill ${owner.pid}\`; otherwise n`
                : 'N';
            return warn(
              id,
              `${spec.name}: port ${expected} ${holder.description}: pnpm start uses ${port.port} instead`,
              `${stop}othing to do: ${spec.name} runs on ${port.port} (never touching it).`,
            );
          }
        }
      }),
    );
  },
};
