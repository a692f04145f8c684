import { type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { sendJson } from '@nexu/service-kit';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardable(headers: IncomingHttpHeaders, dropCors: boolean): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (HOP_BY_HOP.has(name) || (dropCors && name.startsWith('access-control-'))) continue;
    out[name] = value;
  }
  return out;
}

/**
 * In development only: how a request whose connection the controller refused is held while it
 * reloads (between the old process closing its port and the new one listening).
 */
export interface ReloadHold {
  /** Longest a request is held before a 503 (e.g. 5000 ms). */
  readonly boundMs: number;
  /** Pause between two connection attempts. */
  readonly retryMs: number;
  /** Whether the controller may be back soon: a watch session runs and does not say it is down. */
  readonly mayComeBack: () => boolean;
  /**
   * Whether the watch session says a save is being built into or reloaded on the controller: a new
   * request then waits before it is sent (it would otherwise race the old process closing, whose
   * queued connections are reset after the request went out, which must not be retried).
   */
  readonly reloading: () => boolean;
}

/** Largest request body held for a re-send; a larger one is refused with advice. */
export const MAX_HELD_BODY = 8 * 1024 * 1024;

/**
 * Streams one request to the controller and its answer back; 502 JSON when it cannot be reached.
 * With `hold` (the dev unit), the body is buffered, the request waits while the watch session says
 * the controller is being rebuilt or reloaded, and a refused connection is tried again until the
 * controller answers or `hold.boundMs` passes (then 503 "controller is reloading"). Only a
 * refused connection is retried: nothing of the request reached the controller. A reset after
 * sending is a 502 like any other error, as the controller may have acted on the request.
 */
export function proxyToController(
  controller: URL,
  req: IncomingMessage,
  res: ServerResponse,
  hold?: ReloadHold,
): void {
  const headers = { ...forwardable(req.headers, false), host: controller.host };
  let closed = false;
  let current: ReturnType<typeof request> | undefined;
  res.on('close', () => {
    closed = true;
    if (!res.writableFinished) current?.destroy();
  });

  const attempt = (body: Buffer | undefined, deadline: number) => {
    const upstream = request({
      hostname: controller.hostname,
      port: controller.port,
      method: req.method,
      path: req.url,
      // No pooled socket while holding: a kept-alive connection to the old process could be reset
      // after the request went out, which must not be retried.
      ...(hold ? { agent: false } : {}),
      headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) },
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers, true));
      answer.pipe(res);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (closed) return;
      if (hold && error.code === 'ECONNREFUSED') {
        if (Date.now() < deadline && hold.mayComeBack()) {
          setTimeout(() => {
            if (!closed) attempt(body, deadline);
          }, hold.retryMs);
          return;
        }
        if (Date.now() >= deadline) {
          sendJson(res, 503, {
            error: `controller is reloading: it did not answer at ${controller.origin} within ${hold.boundMs} ms; see its log`,
          });
          return;
        }
      }
      sendJson(res, 502, {
        error: `controller unreachable at ${controller.origin} (${error.code ?? error.message}); is it running?`,
      });
    });
    current = upstream;
    if (body === undefined) req.pipe(upstream);
    else upstream.end(body);
  };

  if (!hold) {
    attempt(undefined, 0);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_HELD_BODY) chunks.push(chunk);
  });
  req.on('end', () => {
    if (closed) return;
    if (size > MAX_HELD_BODY) {
      sendJson(res, 413, {
        error: `request body over ${MAX_HELD_BODY} bytes; in development /api bodies are held for a re-send while the controller reloads, send a smaller one`,
      });
      return;
    }
    const body = Buffer.concat(chunks);
    const deadline = Date.now() + hold.boundMs;
    // Nothing is sent while a reload is under way (up to the bound; then it is tried as is).
    const whenSettled = () => {
      if (closed) return;
      if (hold.reloading() && Date.now() < deadline) setTimeout(whenSettled, hold.retryMs);
      else attempt(body, deadline);
    };
    whenSettled();
  });
}
