import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../os/process-identity.js';
import { parseTscOutput } from './tsc-output.js';
import { createTypecheck, resolveTscCommand, TYPECHECK_CACHE_DIR, type Typecheck } from './typecheck.js';

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

  const create = (lines: string[]) =>
    createTypecheck({
      checkout: { root },
      services: [{ name: 'controller', dir: 'svc' }],
      log: (service, line) => lines.push(`${service}: ${line}`),
    });

  it('prints the type errors of a change once, with the service name, then that they are fixed', async () => {
    const lines: string[] = [];
    typecheck = create(lines);
    typecheck.check('controller');
    await typecheck.idle();
    // A clean first check prints nothing.
    expect(lines).toEqual([]);

    await writeFile(join(root, 'svc/src/a.ts'), "export const a: number = 'x';\n");
    typecheck.check('controller');
    await typecheck.idle();
    expect(lines).toEqual([
      "controller: svc/src/a.ts:1:14: error TS2322: Type 'string' is not assignable to type 'number'.",
      'controller: 1 type error in svc/tsconfig.json (reload not blocked)',
    ]);

    // The same errors again (an unrelated save) are not printed again.
    typecheck.check('controller');
    await typecheck.idle();
    expect(lines).toHaveLength(2);

    await writeFile(join(root, 'svc/src/a.ts'), 'export const a: number = 2;\n');
    typecheck.check('controller');
    await typecheck.idle();
    expect(lines.at(-1)).toBe('controller: type errors fixed (svc/tsconfig.json)');
    // The build info stays in the checkout's cache folder, not in the sources nor in the dev state.
    expect(readdirNames(join(root, TYPECHECK_CACHE_DIR)).some((n) => n.endsWith('.tsbuildinfo'))).toBe(true);
    expect(readdirNames(join(root, '.tmp'))).toEqual([]);
  });

  it('prints an error of a file in two projects of one service once', async () => {
    await writeFile(
      join(root, 'svc/src/tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['.'] }),
    );
    const lines: string[] = [];
    typecheck = create(lines);
    await writeFile(join(root, 'svc/src/a.ts'), "export const a: number = 'x';\n");
    typecheck.check('controller');
    await typecheck.idle();
    const error = "svc/src/a.ts:1:14: error TS2322: Type 'string' is not assignable to type 'number'.";
    expect(lines.filter((line) => line.includes(error))).toHaveLength(1);
    expect(lines.filter((line) => /type error in/.test(line))).toHaveLength(1);
  });

  it('prints no error its failed build printed already, and claims no reload while the build fails', async () => {
    const lines: string[] = [];
    let buildErrors = [{ file: 'svc/src/a.ts', line: 1, column: 29, text: 'Unexpected ";"' }];
    typecheck = createTypecheck({
      checkout: { root },
      services: [{ name: 'controller', dir: 'svc' }],
      log: (service, line) => lines.push(`${service}: ${line}`),
      buildErrors: () => buildErrors,
    });
    await writeFile(join(root, 'svc/src/a.ts'), 'export const a: number = 1 +;\n');
    typecheck.check('controller');
    await typecheck.idle();
    expect(lines).toEqual([]);

    // A type error while the build fails elsewhere: printed, without "(reload not blocked)".
    buildErrors = [{ file: 'svc/src/other.ts', line: 3, column: 1, text: 'Unexpected end of file' }];
    await writeFile(join(root, 'svc/src/a.ts'), "export const a: number = 'x';\n");
    typecheck.check('controller');
    await typecheck.idle();
    expect(lines).toEqual([
      "controller: svc/src/a.ts:1:14: error TS2322: Type 'string' is not assignable to type 'number'.",
      'controller: 1 type error in svc/tsconfig.json',
    ]);
  });

  it('starts no check of a service before what it waits for (the reload) is done', async () => {
    const lines: string[] = [];
    let reloadDone = () => {};
    const reloaded = new Promise<void>((resolve) => {
      reloadDone = resolve;
    });
    const waitedFor: string[] = [];
    typecheck = createTypecheck({
      checkout: { root },
      services: [{ name: 'controller', dir: 'svc' }],
      log: (service, line) => lines.push(`${service}: ${line}`),
      after: (service) => {
        waitedFor.push(service);
        return reloaded;
      },
    });
    await writeFile(join(root, 'svc/src/a.ts'), "export const a: number = 'x';\n");
    typecheck.check('controller');
    await waitFor(() => waitedFor.length > 0, { timeoutMs: 5_000, intervalMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(typecheck.pids()).toEqual([]);
    expect(lines).toEqual([]);
    reloadDone();
    await typecheck.idle();
    expect(waitedFor).toEqual(['controller']);
    expect(lines.at(-1)).toBe('controller: 1 type error in svc/tsconfig.json (reload not blocked)');
  });

  it('starts no check once closed while waiting for the reload', async () => {
    let reloadDone = () => {};
    const reloaded = new Promise<void>((resolve) => {
      reloadDone = resolve;
    });
    let waited = false;
    typecheck = createTypecheck({
      checkout: { root },
      services: [{ name: 'controller', dir: 'svc' }],
      log: () => {},
      after: () => {
        waited = true;
        return reloaded;
      },
    });
    typecheck.check('controller');
    await waitFor(() => waited, { timeoutMs: 5_000, intervalMs: 1 });
    const closing = typecheck.close();
    reloadDone();
    await closing;
    expect(typecheck.pids()).toEqual([]);
    // No run began: not even its cache folder was made.
    expect(existsSync(join(root, TYPECHECK_CACHE_DIR))).toBe(false);
  });

  it('close kills a running check and prints nothing of it', async () => {
    const lines: string[] = [];
    typecheck = create(lines);
    typecheck.check('gateway'); // not a service of this checker: ignored
    expect(typecheck.pids()).toEqual([]);
    typecheck.check('controller');
    const started = await waitFor(() => typecheck?.pids()[0], { timeoutMs: 10_000, intervalMs: 1 });
    expect(started.ok).toBe(true);
    const closing = typecheck.close();
    expect(typecheck.close()).toBe(closing);
    await closing;
    expect(typecheck.pids()).toEqual([]);
    expect(isProcessAlive((started as { value: number }).value)).toBe(false);
    expect(lines).toEqual([]);
  });
});

const readdirNames = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

describe('resolveTscCommand', () => {
  it("runs the repo's compiler, TypeScript 7's native binary directly", () => {
    const [command] = resolveTscCommand(process.cwd());
    expect(command).toMatch(/typescript-[a-z0-9]+-[a-z0-9]+[/\\]lib[/\\]tsc(\.exe)?$/);
  });
});

describe('parseTscOutput', () => {
  it('turns tsc errors into file:line:col form, keeping their detail lines and dropping the rest', () => {
    const output = [
      "src/a.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.",
      '  Details here.',
      'error TS5083: Cannot read file tsconfig.json.',
      '',
      'Found 2 errors.',
    ].join('\n');
    expect(parseTscOutput(output)).toEqual([
      "src/a.ts:1:14: error TS2322: Type 'string' is not assignable to type 'number'.\n  Details here.",
      'error TS5083: Cannot read file tsconfig.json.',
    ]);
  });
});
