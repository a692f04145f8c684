import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
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
import { DEV_STATUS_EVENT } from '@nexu/service-kit/dev-status';
import { checkSameOrigin } from './check-same-origin.js';
import type { WebConfig } from './config.js';
import { controllerMayComeBack, controllerReloading } from './controller-may-come-back.js';
import { createDevStatusFeed, type DevStatusFeed } from './dev-status-feed.js';
import { LIVE_RELOAD_PATH, LiveReloadHub } from './live-reload-hub.js';
import { proxyToController, type ReloadHold } from './proxy-to-controller.js';
import { REVISION } from './revision.js';
import { serveStatic } from './serve-static.js';
import { type DirectoryWatch, watchDirectory } from './watch-directory.js';

/** Where the built page is, and test knobs. */
export interface WebOptions {
  /** The Vite output to serve and watch (dist/client next to the server bundle). */
  readonly clientDir: string;
  /** Quiet period after the last file change before pages are told to reload (default 50 ms). */
  readonly reloadDebounceMs?: number;
  /** Where log lines go (default: stderr). */
  readonly log?: (line: string) => void;
  /** How often the watch session's liveness is checked (default 2000 ms). */
  readonly devStatusCheckMs?: number;
  /** In development, how long an `/api` request is held while the controller reloads (default 5000 ms). */
  readonly reloadHoldMs?: number;
}

/** The dashboard server: static page with SPA fallback, `/api` proxy, live-reload stream, /health. */
export interface WebServer extends ServiceApp {
  readonly identity: ServiceIdentity;
  readonly liveReload: LiveReloadHub;
  /** The watch session's status pushed to pages; undefined outside development (no status file). */
  readonly devStatus: DevStatusFeed | undefined;
}

/** Paths of the server's own channels; nothing under it falls back to the page. */
const INTERNAL_PREFIX = '/__nexu/';

/** Builds the web server; nothing is bound or watched until `listen()`. */
export function createServer(config: WebConfig, options: WebOptions): WebServer {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const clientDir = resolve(options.clientDir);
  const identity = createIdentity('web', config.instance, REVISION);
  const liveReload = new LiveReloadHub();
  let devStatus: DevStatusFeed | undefined;
  let watcher: DirectoryWatch | undefined;
  let port = config.port;
  // Only in the dev unit (a status file to follow): elsewhere a refused connection is a 502 at once.
  const hold: ReloadHold | undefined =
    config.devStatusFile === null
      ? undefined
      : {
          boundMs: options.reloadHoldMs ?? 5_000,
          retryMs: 20,
          mayComeBack: () => devStatus !== undefined && controllerMayComeBack(devStatus.current()),
          reloading: () => devStatus !== undefined && controllerReloading(devStatus.current()),
        };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const readOnly = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/health' && readOnly) return sendJson(res, 200, healthPayload(identity));
    if (path === LIVE_RELOAD_PATH && req.method === 'GET') {
      // Same origin as /api: in development the stream carries build errors and log lines.
      const allowed = checkSameOrigin(req, port);
      if (!allowed.ok) return sendJson(res, 403, { error: allowed.reason });
      const first = devStatus ? [{ event: DEV_STATUS_EVENT, data: devStatus.current() }] : [];
      return liveReload.attach(req, res, first);
    }
    if (path.startsWith(INTERNAL_PREFIX)) return sendJson(res, 404, { error: `${path} does not exist` });
    if (path === '/api' || path.startsWith('/api/')) {
      const allowed = checkSameOrigin(req, port);
      if (!allowed.ok) return sendJson(res, 403, { error: allowed.reason });
      return proxyToController(config.controllerUrl, req, res, hold);
    }
    if (!readOnly) {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: `${req.method} is not allowed here` });
    }
    return serveStatic(clientDir, req, res);
  }

  const http = createHttpServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log(`web: ${req.method} ${req.url} failed: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the web log' });
      else res.destroy();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    identity,
    liveReload,
    get devStatus() {
      return devStatus;
    },
    async listen(requestedPort: number): Promise<ListenResult> {
      const result = await listen(http, requestedPort);
      if (!result.ok) return result;
      port = result.port;
      watcher = watchDirectory(
        clientDir,
        () => {
          // Mid-rebuild the page may be gone; the write that brings index.html back fires again.
          if (existsSync(join(clientDir, 'index.html'))) liveReload.broadcast();
        },
        options.reloadDebounceMs ?? 50,
      );
      if (config.devStatusFile !== null) {
        devStatus = createDevStatusFeed({
          path: config.devStatusFile,
          onChange: (view) => liveReload.publish({ event: DEV_STATUS_EVENT, data: view }),
          log,
          ...(options.devStatusCheckMs === undefined ? {} : { checkIntervalMs: options.devStatusCheckMs }),
        });
      }
      return result;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        watcher?.close();
        devStatus?.close();
        liveReload.close();
        await closeHttpServer(http);
      })();
      return closing;
    },
  };
}
