import { createServer } from 'node:net';
import { type WaitForOptions, waitFor } from '@nexu/service-kit';
import { LOCAL_EVENT_POLL } from './local-event-poll.js';

/**
 * Whether nothing listens on 127.0.0.1:`port`, by trying to bind it. A bind probe is the only
 * answer that is right for every owner (other users, other namespaces, macOS without root).
 */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Waits until `port` can be bound again; `true` when it became free before the deadline. */
export async function waitForPortFree(port: number, options?: WaitForOptions): Promise<boolean> {
  const result = await waitFor(() => isPortFree(port), { ...LOCAL_EVENT_POLL, ...options });
  return result.ok;
}
