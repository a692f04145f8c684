import { describe, expect, it } from 'vitest';
import { createBatch } from './create-batch.js';

describe('createBatch', () => {
  it('answers every key asked in one turn with one call, each key once, in order', async () => {
    const calls: string[][] = [];
    const batch = createBatch(async (keys: readonly string[]) => {
      calls.push([...keys]);
      return keys.map((key) => key.toUpperCase());
    });
    const answers = await Promise.all([batch.get('a'), batch.get('b'), batch.get('a')]);
    expect(answers).toEqual(['A', 'B', 'A']);
    expect(calls).toEqual([['a', 'b']]);
    expect(await batch.get('c')).toBe('C');
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('fails every request of a batch whose call fails, and the next batch calls again', async () => {
    let fail = true;
    const batch = createBatch(async (keys: readonly number[]) => {
      if (fail) throw new Error('no answer');
      return keys.map((key) => key * 2);
    });
    const failed = await Promise.allSettled([batch.get(1), batch.get(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batch.get(2)).toBe(4);
  });
});
