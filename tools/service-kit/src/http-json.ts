import type { IncomingMessage, ServerResponse } from 'node:http';

/** Sends `body` as JSON with `status`; no CORS headers, ever. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Outcome of reading a JSON request body. */
export type JsonBodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 413; readonly reason: string };

/** Reads and parses a JSON request body of at most `limitBytes`. */
export async function readJsonBody(req: IncomingMessage, limitBytes = 1024 * 1024): Promise<JsonBodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) return { ok: false, status: 413, reason: `body larger than ${limitBytes} bytes` };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: false, status: 400, reason: 'body is empty (expected JSON)' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, status: 400, reason: `body is not valid JSON: ${(error as Error).message}` };
  }
}
