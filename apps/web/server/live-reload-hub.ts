import type { IncomingMessage, ServerResponse } from 'node:http';

/** Path of the Server-Sent Events channel that tells open pages to reload. */
export const LIVE_RELOAD_PATH = '/__nexu/live-reload';

/** The open live-reload streams; `broadcast()` sends them a `reload` event. */
export class LiveReloadHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor() {
    // A comment line now and then keeps idle proxies and browsers from dropping the stream.
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) res.write(': ping\n\n');
    }, 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Turns a request into an event stream that stays open until the page goes away. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n: connected\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  /** Tells every open page to reload. */
  broadcast(): void {
    for (const res of this.clients) res.write('event: reload\ndata: {}\n\n');
  }

  /** Ends every stream (so the HTTP server can close). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
