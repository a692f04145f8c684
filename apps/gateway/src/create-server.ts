import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  closeHttpServer,
  createIdentity,
  healthPayload,
  type ListenResult,
  listen,
  type ServiceApp,
  type ServiceIdentity,
  sendJson,
} from '@nexu/service-kit';
import { type WebSocket, WebSocketServer } from 'ws';
import { authorizeUpgrade } from './authorize-upgrade.js';
import type { GatewayConfig } from './config.js';
import { handleMessage } from './protocol.js';
import { REVISION } from './revision.js';
import { StateStore, stateFilePath } from './state-store.js';

/** Extra knobs for tests. */
export interface GatewayOptions {
  /** Where log lines go (default: stderr). */
  readonly log?: (line: string) => void;
}

/** The gateway: `GET /health` plus the WebSocket protocol at `/ws`, state under `$NEXU_HOME/gateway`. */
export interface GatewayServer extends ServiceApp {
  readonly identity: ServiceIdentity;
  readonly store: StateStore;
}

const STATUS_TEXT = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' } as const;

/** Builds the gateway; nothing is read or bound until `listen()`. */
export function createServer(config: GatewayConfig, options: GatewayOptions = {}): GatewayServer {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const identity = createIdentity('gateway', config.instance, REVISION);
  const store = new StateStore(stateFilePath(config.nexuHome), log);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  let ownOrigin = '';

  const http = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, healthPayload(identity));
    } else {
      sendJson(res, 404, { error: `no route ${req.method} ${path}` });
    }
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const decision = authorizeUpgrade(req, config.token, ownOrigin);
    if (!decision.ok) {
      socket.end(
        `HTTP/1.1 ${decision.status} ${STATUS_TEXT[decision.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const context = { store, identity, clients: () => wss.clients.size };
      void handleMessage(context, data.toString()).then((response) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
      });
    });
  });

  let closing: Promise<void> | undefined;
  return {
    identity,
    store,
    async listen(port: number): Promise<ListenResult> {
      await store.load();
      const result = await listen(http, port);
      if (result.ok) ownOrigin = result.url;
      return result;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        for (const ws of wss.clients) ws.close(1001, 'gateway shutting down');
        const closed = closeHttpServer(http);
        const wsGone = new Promise<void>((resolve) => wss.close(() => resolve()));
        // Clients that do not answer the close handshake are cut after a moment.
        const cut = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
        }, 1000);
        cut.unref();
        await Promise.all([closed, wsGone, store.flush()]);
        clearTimeout(cut);
      })();
      return closing;
    },
  };
}
