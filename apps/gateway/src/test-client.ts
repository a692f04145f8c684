import WebSocket from 'ws';
import type { GatewayResponse } from './protocol.js';

/** Outcome of opening a test connection: open, or the HTTP status the upgrade was refused with. */
export type ConnectResult = { ok: true; client: TestClient } | { ok: false; status: number };

/** A minimal protocol client for tests. */
export interface TestClient {
  request(method: string, params?: unknown): Promise<GatewayResponse>;
  close(): void;
}

/** Opens a WebSocket to `url` with optional headers (test helper, not used by the gateway itself). */
export function connectTestClient(url: string, headers: Record<string, string> = {}): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    let next = 0;
    const pending = new Map<number, (response: GatewayResponse) => void>();
    ws.on('message', (data) => {
      const response = JSON.parse(data.toString()) as GatewayResponse;
      const settle = pending.get(response.id as number);
      pending.delete(response.id as number);
      settle?.(response);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ok: true,
        client: {
          request(method, params) {
            const id = ++next;
            return new Promise((settle) => {
              pending.set(id, settle);
              ws.send(JSON.stringify({ id, method, params }));
            });
          },
          close: () => ws.close(),
        },
      }),
    );
  });
}

/** Like `connectTestClient`, but throws unless the connection opened. */
export async function openTestClient(url: string, headers?: Record<string, string>): Promise<TestClient> {
  const result = await connectTestClient(url, headers);
  if (!result.ok) throw new Error(`upgrade refused with HTTP ${result.status}`);
  return result.client;
}
