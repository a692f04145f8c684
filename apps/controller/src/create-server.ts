import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  closeHttpServer,
  createIdentity,
  healthPayload,
  isJsonObject,
  type ListenResult,
  listen,
  readJsonBody,
  type ServiceApp,
  type ServiceIdentity,
  sendJson,
} from '@nexu/service-kit';
import { readBuildId } from './build-id.js';
import type { ControllerConfig } from './config.js';
import { ConfigStore, configFilePath } from './config-store.js';
import { GatewayLink, type GatewayLinkOptions } from './gateway-link.js';
import { REVISION } from './revision.js';
import { handleSessionRequest } from './session-routes.js';

/** Extra knobs for tests. */
export interface ControllerOptions {
  /** Where log lines go (default: stderr). */
  readonly log?: (line: string) => void;
  /** Overrides for the gateway link's timings. */
  readonly link?: Partial<GatewayLinkOptions>;
}

/** The controller: /health, /api/runtime, /api/config, /api/sessions/:id; WS client of the gateway. */
export interface ControllerServer extends ServiceApp {
  readonly identity: ServiceIdentity;
  readonly link: GatewayLink;
}

/** Builds the controller; nothing is read, bound or connected until `listen()`. */
export function createServer(config: ControllerConfig, options: ControllerOptions = {}): ControllerServer {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const identity = createIdentity('controller', config.instance, REVISION);
  const buildId = readBuildId(import.meta.url);
  const store = new ConfigStore(configFilePath(config.nexuHome), log);
  const link = new GatewayLink({ url: config.gatewayUrl, token: config.gatewayToken, log, ...options.link });
  let port = config.port;

  const runtime = () => ({
    service: identity.service,
    nexuHome: config.nexuHome,
    port,
    pid: identity.pid,
    startedAt: identity.startedAt,
    buildId,
    instance: identity.instance,
    revision: identity.revision,
    gateway: { url: link.url, state: link.state },
    config: store.get(),
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const readOnly = method === 'GET' || method === 'HEAD';
    if (path === '/health' && readOnly) {
      // Ready once the gateway link is up: before that, the gateway-backed routes answer 503.
      const ready = link.state === 'active';
      return sendJson(
        res,
        200,
        healthPayload(identity, ready ? { ready } : { ready, waitingFor: `gateway link ${link.state}` }),
      );
    }
    if (path === '/api/runtime' && readOnly) return sendJson(res, 200, runtime());
    if (path === '/api/config' && readOnly) return sendJson(res, 200, store.get());
    if (path === '/api/config' && method === 'PUT') {
      const body = await readJsonBody(req);
      if (!body.ok) return sendJson(res, body.status, { error: body.reason });
      if (!isJsonObject(body.value)) return sendJson(res, 400, { error: 'config must be a JSON object' });
      return sendJson(res, 200, await store.merge(body.value));
    }
    const session = /^\/api\/sessions\/([^/]+)$/.exec(path);
    if (session?.[1]) return handleSessionRequest(link, req, res, decodeURIComponent(session[1]));
    sendJson(res, 404, { error: `no route ${method} ${path}` });
  }

  const http = createHttpServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log(`controller: ${req.method} ${req.url} failed: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the controller log' });
      else res.destroy();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    identity,
    link,
    async listen(requestedPort: number): Promise<ListenResult> {
      await store.load();
      const result = await listen(http, requestedPort);
      if (result.ok) {
        port = result.port;
        link.start();
      }
      return result;
    },
    close(): Promise<void> {
      closing ??= Promise.all([link.close(), closeHttpServer(http)]).then(() => {});
      return closing;
    },
  };
}
