import { isJsonObject, type ServiceIdentity } from '@nexu/service-kit';
import type { StateStore } from './state-store.js';

/** A request on the WebSocket: `{ id, method, params }`. */
export interface GatewayRequest {
  readonly id: string | number | null;
  readonly method: string;
  readonly params?: unknown;
}

/** Error codes a client can branch on. */
export type GatewayErrorCode = 'bad_request' | 'unknown_method' | 'invalid_params' | 'not_found' | 'internal';

/** The answer to one request: `{ id, ok: true, result }` or `{ id, ok: false, error }`. */
export type GatewayResponse =
  | { readonly id: string | number | null; readonly ok: true; readonly result: unknown }
  | {
      readonly id: string | number | null;
      readonly ok: false;
      readonly error: { readonly code: GatewayErrorCode; readonly message: string };
    };

/** What request handling may read. */
export interface ProtocolContext {
  readonly store: StateStore;
  readonly identity: ServiceIdentity;
  readonly clients: () => number;
}

const MAX_SESSION_ID = 200;

/** Answers one raw WebSocket message (methods: ping, status, session.put, session.get, session.list). */
export async function handleMessage(context: ProtocolContext, raw: string): Promise<GatewayResponse> {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return failure(null, 'bad_request', 'message is not valid JSON');
  }
  if (!isJsonObject(message) || typeof message.method !== 'string') {
    return failure(null, 'bad_request', 'expected {"id", "method", "params"}');
  }
  const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
  const params = isJsonObject(message.params) ? message.params : {};
  const { store, identity } = context;
  switch (message.method) {
    case 'ping':
      return success(id, { pong: true, at: new Date().toISOString() });
    case 'status':
      return success(id, { ...identity, sessions: store.size, clients: context.clients() });
    case 'session.list':
      return success(id, { sessions: store.list() });
    case 'session.get': {
      const sessionId = validSessionId(params.id);
      if (!sessionId) return failure(id, 'invalid_params', sessionIdAdvice);
      const record = store.get(sessionId);
      if (!record) return failure(id, 'not_found', `no session "${sessionId}"`);
      return success(id, { id: sessionId, ...record });
    }
    case 'session.put': {
      const sessionId = validSessionId(params.id);
      if (!sessionId) return failure(id, 'invalid_params', sessionIdAdvice);
      if (!('data' in params))
        return failure(id, 'invalid_params', 'params.data is required (any JSON value)');
      try {
        const record = await store.put(sessionId, params.data);
        return success(id, { id: sessionId, updatedAt: record.updatedAt });
      } catch (error) {
        return failure(id, 'internal', `could not save state: ${(error as Error).message}`);
      }
    }
    default:
      return failure(id, 'unknown_method', `unknown method "${message.method}"`);
  }
}

const sessionIdAdvice = `params.id must be a non-empty string of at most ${MAX_SESSION_ID} characters`;

function validSessionId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_SESSION_ID ? value : undefined;
}

function success(id: GatewayRequest['id'], result: unknown): GatewayResponse {
  return { id, ok: true, result };
}

function failure(id: GatewayRequest['id'], code: GatewayErrorCode, message: string): GatewayResponse {
  return { id, ok: false, error: { code, message } };
}
