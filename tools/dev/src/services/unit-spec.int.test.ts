import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceBuildOptions } from '../../bin/build-service.mjs';
import { SERVICE_NODE_FLAGS } from './unit-spec.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('resolveUnitSpec', () => {
  it('makes a stack trace of a built service name the TypeScript source and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexu-unit-spec-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(dir, 'src/fail.ts'),
      'export function fail(): never {\n  throw new Error("boom at startup");\n}\n',
    );
    writeFileSync(
      join(dir, 'src/main.ts'),
      "import { fail } from './fail.js';\nconst n: number = 1;\nif (n) fail();\n",
    );
    await build({ ...serviceBuildOptions(dir), logLevel: 'silent' });

    const run = spawnSync(process.execPath, [...SERVICE_NODE_FLAGS, join(dir, 'dist/main.js')], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Error: boom at startup');
    expect(run.stderr).toContain(`at fail (${join(dir, 'src/fail.ts')}:2:9)`);
    expect(run.stderr).not.toContain('dist/main.js');
  });
});
