import type { IncomingMessage } from 'node:http';

/** Whether a request may reach the API; otherwise why not. */
export type OriginDecision = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Same-origin guard for `/api`: the Host must be this server (127.0.0.1 or localhost on our port,
 * which also defeats DNS rebinding), and a browser `Origin`, when present, must be that same origin.
 * No CORS headers are ever sent, so other origins cannot read responses either.
 */
export function checkSameOrigin(req: IncomingMessage, port: number): OriginDecision {
  const host = req.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return { ok: false, reason: `Host "${host}" is not this server (use http://127.0.0.1:${port})` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return { ok: false, reason: `cross-origin request from "${origin}" refused` };
  }
  return { ok: true };
}
