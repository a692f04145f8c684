import type { IncomingMessage, ServerResponse } from 'node:http';

/** Path of the Server-Sent Events channel that tells open pages to reload (and, in development, what the watch session does). */
export const LIVE_RELOAD_PATH = '/__nexu/live-reload';

/** One named event with a JSON payload. */
export interface StreamEvent {
  readonly event: string;
  readonly data: unknown;
}

/** Server-Sent Events frame of `event` (JSON data has no newlines, so one `data:` line). */
function frame({ event, data }: StreamEvent): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The open live-reload streams; `broadcast()` sends them a `reload` event, `publish()` any other. */
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

  /**
   * Turns a request into an event stream that stays open until the page goes away; `first` goes out
   * in the same write as the greeting, so a page has it before any later event.
   */
  attach(req: IncomingMessage, res: ServerResponse, first: readonly StreamEvent[] = []): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write(`retry: 1000\n: connected\n\n${first.map(frame).join('')}`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  /** Tells every open page to reload. */
  broadcast(): void {
    this.publish({ event: 'reload', data: {} });
  }

  /** Sends one event to every open page. */
  publish(event: StreamEvent): void {
    const text = frame(event);
    for (const res of this.clients) res.write(text);
  }

  /** Ends every stream (so the HTTP server can close). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
