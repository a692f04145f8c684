import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkSameOrigin } from './check-same-origin.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('checkSameOrigin', () => {
  it.each([
    [{ host: '127.0.0.1:8080' }],
    [{ host: 'localhost:8080' }],
    [{ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }],
    [{ host: 'localhost:8080', origin: 'http://localhost:8080' }],
  ])('lets %j through', (headers) => {
    expect(checkSameOrigin(req(headers), 8080)).toEqual({ ok: true });
  });

  it.each([
    [{ host: '127.0.0.1:8080', origin: 'http://evil.example' }],
    [{ host: '127.0.0.1:8080', origin: 'null' }],
    [{ host: '127.0.0.1:8080', origin: 'http://localhost:8080' }],
    [{ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:9999' }],
    [{ host: 'rebound.example:8080' }],
    [{ host: '127.0.0.1:9999' }],
  ])('refuses %j', (headers) => {
    expect(checkSameOrigin(req(headers), 8080).ok).toBe(false);
  });
});
