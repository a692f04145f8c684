import { describe, expect, it } from 'vitest';
import { healthUrlFor } from './probe-health.js';

describe('healthUrlFor', () => {
  it.each([
    ['ws://127.0.0.1:18789/ws', 'http://127.0.0.1:18789/health'],
    ['wss://gw.example:443/ws?x=1', 'https://gw.example/health'],
  ])('turns %s into %s', (ws, http) => {
    expect(healthUrlFor(ws)).toBe(http);
  });
});
