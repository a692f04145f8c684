import WebSocket from 'ws';
import { healthUrlFor, probeHealth } from './probe-health.js';

/** State of the controller's WebSocket link to the gateway. */
export type LinkState = 'connecting' | 'active' | 'unreachable';

/** Options of a `GatewayLink`; times in ms. */
export interface GatewayLinkOptions {
  /** Gateway WebSocket URL, e.g. ws://127.0.0.1:18789/ws. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly token: string | null;
  /** First reconnect delay (default 500); doubles per failed attempt. */
  readonly minBackoffMs?: number;
  /** Longest reconnect delay (default 4000). */
  readonly maxBackoffMs?: number;
  /** How often the gateway's /health is probed while the link is down (default 250). */
  readonly probeIntervalMs?: number;
  /** How long a request waits for its answer (default 5000). */
  readonly requestTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** A gateway answer (`{ ok, result }` / `{ ok: false, error }`), or why there was none. */
export type LinkResponse =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
export type LinkRequestResult =
  | { readonly delivered: true; readonly response: LinkResponse }
  | { readonly delivered: false; readonly reason: 'not-active' | 'timeout' | 'closed' };

interface Pending {
  readonly settle: (result: LinkRequestResult) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Keeps one WebSocket to the gateway. After a failure it retries with capped exponential backoff,
 * and meanwhile probes the gateway's /health: when a gateway that was down answers again, it
 * reconnects at once instead of waiting out the backoff (the toolkit restarts the gateway on every
 * hot reload and wants the link back fast). A gateway that is up but refuses us (e.g. wrong
 * token) is only retried on the backoff schedule.
 */
export class GatewayLink {
  private currentState: LinkState = 'connecting';
  private ws: WebSocket | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private gatewayWasDown = false;
  private stopped = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly healthUrl: string;
  private readonly log: (line: string) => void;

  constructor(private readonly options: GatewayLinkOptions) {
    this.healthUrl = healthUrlFor(options.url);
    this.log = options.log ?? (() => {});
  }

  get state(): LinkState {
    return this.currentState;
  }

  get url(): string {
    return this.options.url;
  }

  /** Opens the link (and keeps it open until `close()`). */
  start(): void {
    this.connect();
  }

  /** Sends one request; resolves with the gateway's answer or why there was none. Never throws. */
  request(method: string, params?: unknown): Promise<LinkRequestResult> {
    const ws = this.ws;
    if (this.currentState !== 'active' || !ws)
      return Promise.resolve({ delivered: false, reason: 'not-active' });
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.settle(id, { delivered: false, reason: 'timeout' }),
        this.options.requestTimeoutMs ?? 5000,
      );
      this.pending.set(id, { settle: resolve, timer });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Stops reconnecting and closes the socket; idempotent. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.probeTimer);
    this.failPending('closed');
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'controller shutting down');
      else ws.terminate();
      setTimeout(() => ws.terminate(), 500).unref();
    });
  }

  private connect(): void {
    clearTimeout(this.retryTimer);
    if (this.stopped || this.ws) return;
    this.currentState = 'connecting';
    const headers: Record<string, string> = this.options.token
      ? { Authorization: `Bearer ${this.options.token}` }
      : {};
    const ws = new WebSocket(this.options.url, { headers, handshakeTimeout: 2000, perMessageDeflate: false });
    this.ws = ws;
    let lastError = '';
    ws.on('open', () => {
      this.currentState = 'active';
      this.attempt = 0;
      this.gatewayWasDown = false;
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      this.log(`controller: gateway link active (${this.options.url})`);
    });
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('error', (error: NodeJS.ErrnoException) => {
      lastError = error.message;
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') this.gatewayWasDown = true;
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.failPending('closed');
      const wasActive = this.currentState === 'active';
      this.currentState = 'unreachable';
      if (this.stopped) return;
      if (wasActive) {
        this.gatewayWasDown = true;
        this.log(`controller: gateway link lost (${this.options.url}), reconnecting`);
      } else if (this.attempt === 0 && lastError) {
        this.log(`controller: cannot reach gateway at ${this.options.url} (${lastError}), retrying`);
      }
      this.scheduleRetry();
      this.startProbing();
    });
  }

  private scheduleRetry(): void {
    const min = this.options.minBackoffMs ?? 500;
    const delay = Math.min(min * 2 ** this.attempt, this.options.maxBackoffMs ?? 4000);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  private startProbing(): void {
    if (this.probeTimer) return;
    this.probeTimer = setInterval(() => void this.probe(), this.options.probeIntervalMs ?? 250);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.probing || this.ws || this.stopped) return;
    this.probing = true;
    const up = await probeHealth(this.healthUrl);
    this.probing = false;
    if (this.ws || this.stopped) return;
    if (!up) {
      this.gatewayWasDown = true;
    } else if (this.gatewayWasDown) {
      this.gatewayWasDown = false;
      this.connect();
    }
  }

  private onMessage(text: string): void {
    let message: { id?: unknown } & LinkResponse;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message.id !== 'number') return;
    const response: LinkResponse = message.ok
      ? { ok: true, result: message.result }
      : { ok: false, error: message.error ?? { code: 'unknown', message: 'gateway sent no error detail' } };
    this.settle(message.id, { delivered: true, response });
  }

  private settle(id: number, result: LinkRequestResult): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.settle(result);
  }

  private failPending(reason: 'closed'): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { delivered: false, reason });
  }
}
