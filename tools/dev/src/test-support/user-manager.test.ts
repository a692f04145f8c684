import { describe, expect, it } from 'vitest';
import { parseEnvironmentDump } from './user-manager.js';

describe('an environment dump for the tests’ user managers', () => {
  it('reads `env -0` output, values with line breaks and = included', () => {
    expect(parseEnvironmentDump('PATH=/bin:/usr/bin\0MULTI=a\nb=c\0EMPTY=\0')).toEqual({
      PATH: '/bin:/usr/bin',
      MULTI: 'a\nb=c',
      EMPTY: '',
    });
  });

  it('reads plain `env` output, a line that starts no variable continuing the value before it', () => {
    expect(parseEnvironmentDump('PATH=/bin\nMULTI=a\n  b\nHOME=/root\n')).toEqual({
      PATH: '/bin',
      MULTI: 'a\n  b',
      HOME: '/root',
    });
  });
});
