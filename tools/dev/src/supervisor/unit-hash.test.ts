import { describe, expect, it } from 'vitest';
import { hashUnit } from './unit-hash.js';

describe('hashUnit', () => {
  it('is stable, short and content-sensitive', () => {
    expect(hashUnit('x')).toBe(hashUnit('x'));
    expect(hashUnit('x')).toMatch(/^[0-9a-f]{16}$/);
    expect(hashUnit('x')).not.toBe(hashUnit('y'));
  });
});
