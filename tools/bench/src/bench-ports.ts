import { SERVICE_NAMES, type ServicePorts } from '@nexu/dev';
import getPort, { portNumbers } from 'get-port';

const handedOut = new Set<number>();
/** Where the bench's peers get their ports: clear of the OS's ephemeral ports. */
export const BELOW_EPHEMERAL = { from: 20000, to: 32767 } as const;

/**
 * Free ports for one peer's three services. Never hands out a port twice in one bench run, so a
 * peer's port cannot collide with another tool's (which may still be shutting down).
 */
export async function allocateBenchPorts(): Promise<ServicePorts> {
  const ports: Partial<Record<string, number>> = {};
  for (const name of SERVICE_NAMES) {
    // Below the ephemeral range (Linux 32768-60999, ip_local_port_range; macOS 49152-65535): the
    // health polls' own client sockets take ephemeral ports, and one could take a service's port
    // between this choice and the service's bind (EADDRINUSE).
    const from =
      BELOW_EPHEMERAL.from + Math.floor(Math.random() * (BELOW_EPHEMERAL.to - BELOW_EPHEMERAL.from));
    const port = await getPort({ exclude: [...handedOut], port: portNumbers(from, BELOW_EPHEMERAL.to) });
    handedOut.add(port);
    ports[name] = port;
  }
  return ports as ServicePorts;
}
