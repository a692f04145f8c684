import { SERVICE_NAMES, type ServicePorts } from '@nexu/dev';
import getPort from 'get-port';

const handedOut = new Set<number>();

/**
 * Free ports for one peer's three services. Never hands out a port twice in one bench run, so a
 * peer's port cannot collide with another tool's (which may still be shutting down).
 */
export async function allocateBenchPorts(): Promise<ServicePorts> {
  const ports: Partial<Record<string, number>> = {};
  for (const name of SERVICE_NAMES) {
    const port = await getPort({ exclude: [...handedOut], port: 30000 + Math.floor(Math.random() * 20000) });
    handedOut.add(port);
    ports[name] = port;
  }
  return ports as ServicePorts;
}
