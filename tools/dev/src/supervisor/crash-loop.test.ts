import { describe, expect, it } from 'vitest';
import { countCrashLoop, DEFAULT_CRASH_LOOP } from './crash-loop.js';

describe('countCrashLoop', () => {
  const policy = { maxStarts: 5, windowMs: 30_000 };
  const now = 1_000_000;

  it('is a crash loop at maxStarts failed starts inside the window, not one before', () => {
    const four = [now - 4_000, now - 3_000, now - 2_000, now - 1_000];
    expect(countCrashLoop(four, now, policy).looping).toBe(false);
    expect(countCrashLoop([...four, now], now, policy)).toEqual({ recent: [...four, now], looping: true });
  });

  it('forgets failed starts older than the window, and anything that is not a time', () => {
    const old = [now - 60_000, now - 45_000, now - 31_000, now - 30_000];
    expect(countCrashLoop([...old, 'x', null, now - 10], now, policy)).toEqual({
      recent: [now - 10],
      looping: false,
    });
  });

  it('trips the default policy at 5 failed starts in 30 s', () => {
    const five = [0, 1, 2, 3, 4].map((i) => now - 29_000 + i * 1_000);
    expect(countCrashLoop(five, now, DEFAULT_CRASH_LOOP).looping).toBe(true);
    expect(countCrashLoop(five.slice(1), now, DEFAULT_CRASH_LOOP).looping).toBe(false);
  });
});
