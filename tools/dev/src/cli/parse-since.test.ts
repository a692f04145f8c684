import { describe, expect, it } from 'vitest';
import { parseSince } from './parse-since.js';

const now = new Date(2026, 11, 3, 10, 50, 0).getTime();

describe('parseSince', () => {
  it.each([
    ['90s', now - 90_000],
    ['5m', now - 300_000],
    ['2h', now - 7_200_000],
    ['1d', now - 86_400_000],
    ['10:42', new Date(2026, 11, 3, 10, 42, 0).getTime()],
    ['10:42:05', new Date(2026, 11, 3, 10, 42, 5).getTime()],
    ['11:00', new Date(2026, 11, 2, 11, 0, 0).getTime()],
    ['2026-12-03T10:42', new Date(2026, 11, 3, 10, 42, 0).getTime()],
    ['2026-12-03T10:42:00Z', Date.UTC(2026, 11, 3, 10, 42, 0)],
  ])('reads %s', (raw, time) => {
    expect(parseSince(raw, now)).toEqual({ ok: true, time });
  });

  it.each(['', '5', '5x', 'yesterday', '25:00', '10:61', '2026-13-45'])(
    'rejects %j, saying what works',
    (raw) => {
      const result = parseSince(raw, now);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toMatch(/--since needs a duration \(90s, 5m, 2h, 1d\)/);
    },
  );
});
