import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../os/process-identity.js';
import { createTscWatchOutput, type TypecheckReport } from './tsc-watch-output.js';
import { createTypecheck, type Typecheck } from './typecheck.js';

const livePids = async (pids: number[]) =>
  (await Promise.all(pids.map(async (pid) => ((await isProcessAlive(pid)) ? [pid] : [])))).flat();

describe('createTypecheck', () => {
  let root: string;
  let typecheck: Typecheck | undefined;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-typecheck-'));
    await mkdir(join(root, 'svc/src'), { recursive: true });
    const tsconfig = {
      compilerOptions: { strict: true, noEmit: true, types: [], target: 'ES2022' },
      include: ['src'],
    };
    await writeFile(join(root, 'svc/tsconfig.json'), JSON.stringify(tsconfig));
    await writeFile(join(root, 'svc/src/a.ts'), 'export const a: number = 1;\n');
  });

  afterEach(async () => {
    await typecheck?.close();
    typecheck = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('prints type errors once with the service name, then that they are fixed, and kills tsc on close', async () => {
    const lines: string[] = [];
    typecheck = createTypecheck({
      checkout: { root },
      services: [{ name: 'controller', dir: 'svc' }],
      log: (service, line) => lines.push(`${service}: ${line}`),
    });
    typecheck.start();
    const pids = typecheck.pids();
    expect(pids).toHaveLength(1);

    // An edit only counts once tsc watches; re-save until the error shows up (deadline, no sleep).
    const broken = await waitFor(
      async () => {
        await writeFile(join(root, 'svc/src/a.ts'), "export const a: number = 'x';\n");
        return lines.some((l) => l.includes('TS2322'));
      },
      { timeoutMs: 25_000, intervalMs: 500, maxIntervalMs: 1_000 },
    );
    expect(broken.ok).toBe(true);
    expect(lines.filter((l) => l.includes('TS2322'))).toEqual([
      "controller: svc/src/a.ts:1:14: error TS2322: Type 'string' is not assignable to type 'number'.",
    ]);

    await writeFile(join(root, 'svc/src/a.ts'), 'export const a: number = 2;\n');
    expect(
      (await waitFor(() => lines.some((l) => l.includes('type errors fixed')), { timeoutMs: 20_000 })).ok,
    ).toBe(true);
    expect(lines.join('\n')).not.toMatch(/Starting|Watching for file changes/);

    const closing = typecheck.close();
    expect(typecheck.close()).toBe(closing);
    await closing;
    expect(await livePids(pids)).toEqual([]);
    expect(typecheck.pids()).toEqual([]);
  });

  it('checks only the services it is asked for, each once', async () => {
    await mkdir(join(root, 'other/src'), { recursive: true });
    await writeFile(join(root, 'other/tsconfig.json'), JSON.stringify({ include: ['src'] }));
    typecheck = createTypecheck({
      checkout: { root },
      services: [
        { name: 'controller', dir: 'svc' },
        { name: 'gateway', dir: 'other' },
      ],
      log: () => {},
    });
    typecheck.start('controller');
    typecheck.start('controller');
    expect(typecheck.pids()).toHaveLength(1);
    typecheck.start('gateway');
    expect(typecheck.pids()).toHaveLength(2);
  });
});

describe('createTscWatchOutput', () => {
  it('reports each distinct set of errors once and drops the watch noise', () => {
    const reports: TypecheckReport[] = [];
    const output = createTscWatchOutput((r) => reports.push(r));
    const compile = (...errors: string[]) => {
      for (const line of [
        '5:12:38 AM - File change detected. Starting incremental compilation...',
        '',
        ...errors,
        '',
        `5:12:40 AM - Found ${errors.length} errors. Watching for file changes.`,
      ]) {
        output.push(line);
      }
    };
    compile();
    compile(
      "src/a.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.",
      '  Details here.',
    );
    compile(
      "src/a.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.",
      '  Details here.',
    );
    compile();
    compile();
    expect(reports).toEqual([
      {
        errors: [
          "src/a.ts:1:14: error TS2322: Type 'string' is not assignable to type 'number'.\n  Details here.",
        ],
      },
      { errors: [] },
    ]);
  });
});
