import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Whether a WebSocket upgrade may proceed; otherwise the HTTP status to answer with. */
export type UpgradeDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403 | 404 };

/**
 * Checks an upgrade request: path `/ws`, a bearer token when one is configured, and no foreign
 * browser `Origin` (a web page must not drive the gateway even in token-less dev mode).
 */
export function authorizeUpgrade(
  req: IncomingMessage,
  token: string | null,
  ownOrigin: string,
): UpgradeDecision {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/ws') return { ok: false, status: 404 };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== ownOrigin) return { ok: false, status: 403 };
  if (token === null) return { ok: true };
  const header = req.headers.authorization ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  return sameSecret(presented, token) ? { ok: true } : { ok: false, status: 401 };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
