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

/** Streams one request to the controller and its answer back; 502 JSON when it cannot be reached. */
export function proxyToController(controller: URL, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request({
    hostname: controller.hostname,
    port: controller.port,
    method: req.method,
    path: req.url,
    headers: { ...forwardable(req.headers, false), host: controller.host },
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
    sendJson(res, 502, {
      error: `controller unreachable at ${controller.origin} (${error.code ?? error.message}); is it running?`,
    });
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
