import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs } from '@nexu/service-kit/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStore } from './state-store.js';

const temp = new TempDirs();
afterEach(() => temp.removeAll());

describe('StateStore', () => {
  it('persists sessions to a 0600 file that a new store reads back', async () => {
    const path = join(await temp.make(), 'gateway', 'state.json');
    const store = new StateStore(path, () => {});
    await store.load();
    await store.put('a', { n: 1 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = new StateStore(path, () => {});
    await again.load();
    expect(again.get('a')?.data).toEqual({ n: 1 });
  });

  it('leaves no temp files behind after many concurrent writes', async () => {
    const dir = await temp.make();
    const store = new StateStore(join(dir, 'state.json'), () => {});
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`s${i}`, i)));
    expect(await readdir(dir)).toEqual(['state.json']);
    const file = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    expect(Object.keys(file.sessions)).toHaveLength(20);
  });

  it.each([
    ['invalid JSON', '{not json'],
    ['a wrong shape', '{"version":1,"sessions":[1,2]}'],
  ])('moves a state file with %s aside, reports it, and starts empty', async (_, content) => {
    const dir = await temp.make();
    const path = join(dir, 'state.json');
    await writeFile(path, content);
    const lines: string[] = [];
    const store = new StateStore(path, (line) => lines.push(line));
    await store.load();
    expect(store.size).toBe(0);
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith('state.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(files).not.toContain('state.json');
    expect(await readFile(join(dir, aside!), 'utf8')).toBe(content);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(path);
  });
});
