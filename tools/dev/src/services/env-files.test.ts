import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvFileError, parseEnvFile, readServiceEnvFiles } from './env-files.js';

describe('parseEnvFile', () => {
  it('reads assignments, export, quotes, comments and multi-line quoted values', () => {
    const text = [
      '# comment',
      '',
      'A=1',
      'export B="two words" # trailing',
      "C='single'",
      'D="first',
      'second"',
      'E=',
    ].join('\n');
    expect(parseEnvFile(text, '.env')).toEqual({
      A: '1',
      B: 'two words',
      C: 'single',
      D: 'first\nsecond',
      E: '',
    });
  });

  it.each([
    ['A=1\nthis is not an assignment\n', 2, /not NAME=value/],
    ['A=1\n\nFOO-BAR=1\n', 3, /"FOO-BAR" is not a variable name/],
    ['1A=x\n', 1, /"1A" is not a variable name/],
    ['A="open\nB=2\n', 1, /the value of A opens a " quote that never closes/],
  ])('names the file and line of a bad line, never its value: %j', (text, line, problem) => {
    let error: unknown;
    try {
      parseEnvFile(text, 'apps/web/.env.local');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvFileError);
    expect((error as EnvFileError).line).toBe(line);
    expect((error as EnvFileError).message).toMatch(new RegExp(`^apps/web/\\.env\\.local:${line}: `));
    expect((error as EnvFileError).message).toMatch(problem);
  });
});

describe('readServiceEnvFiles', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'env-files-'));
    mkdirSync(join(root, 'apps/web'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lets the app folder win over the root, and .local over the plain file', () => {
    writeFileSync(join(root, '.env'), 'A=root\nB=root\nC=root\nD=root\n');
    writeFileSync(join(root, '.env.local'), 'B=root-local\nC=root-local\n');
    writeFileSync(join(root, 'apps/web/.env'), 'C=app\nD=app\n');
    writeFileSync(join(root, 'apps/web/.env.local'), 'D=app-local\n');
    const read = readServiceEnvFiles({ dir: 'apps/web' }, { root });
    expect(read.values).toEqual({ A: 'root', B: 'root-local', C: 'app', D: 'app-local' });
    expect(read.sources).toEqual({
      A: '.env',
      B: '.env.local',
      C: 'apps/web/.env',
      D: 'apps/web/.env.local',
    });
  });

  it('reads nothing when there is no env file', () => {
    expect(readServiceEnvFiles({ dir: 'apps/web' }, { root })).toEqual({ values: {}, sources: {} });
  });
});
