import type { Server } from 'node:http';

/** Services bind loopback only. */
export const HOST = '127.0.0.1';

/** Outcome of binding a server; a taken port is expected, so it is a result. */
export type ListenResult =
  | { readonly ok: true; readonly port: number; readonly url: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Binds `server` to 127.0.0.1:`port` (0 = ephemeral) and reports the port it got. */
export function listen(server: Server, port: number): Promise<ListenResult> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      resolve({ ok: false, code: error.code ?? 'UNKNOWN', message: describeListenError(error, port) });
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({ ok: true, port: bound, url: `http://${HOST}:${bound}` });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: HOST, exclusive: true });
  });
}

/** Turns a bind errno into advice. */
function describeListenError(error: NodeJS.ErrnoException, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use (EADDRINUSE)`;
    case 'EACCES':
      return `not allowed to bind port ${port} (EACCES); use a port above 1023`;
    default:
      return `cannot listen on ${HOST}:${port}: ${error.message}`;
  }
}

/**
 * Stops accepting connections, lets in-flight requests finish, and cuts whatever is still open
 * after `graceMs`. Resolves once every connection is gone.
 */
export function closeHttpServer(server: Server, graceMs = 1500): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
