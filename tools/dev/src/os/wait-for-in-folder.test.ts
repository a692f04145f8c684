import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForInFolder } from './wait-for-in-folder.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const report = (folder: string) => () =>
  readFile(join(folder, 'state.json'), 'utf8').then(
    (text) => text,
    () => undefined,
  );

describe('waitForInFolder', () => {
  it('returns what the check finds once another writer puts it in the folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'nexu-wait-folder-'));
    folders.push(folder);
    setTimeout(() => writeFileSync(join(folder, 'state.json'), 'done'), 50);
    expect(await waitForInFolder(folder, report(folder), { timeoutMs: 10_000 })).toEqual({
      ok: true,
      value: 'done',
    });
  });

  it('ends with a timeout when nothing comes, and polls where the folder does not exist', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'nexu-wait-folder-'));
    folders.push(folder);
    expect(await waitForInFolder(folder, report(folder), { timeoutMs: 100 })).toEqual({
      ok: false,
      reason: 'timeout',
    });
    const missing = join(folder, 'gone');
    expect(await waitForInFolder(missing, report(missing), { timeoutMs: 100 })).toEqual({
      ok: false,
      reason: 'timeout',
    });
  });
});
