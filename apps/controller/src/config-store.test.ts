import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs } from '@nexu/service-kit/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigStore, configFilePath } from './config-store.js';

const temp = new TempDirs();
afterEach(() => temp.removeAll());

describe('ConfigStore', () => {
  it('starts empty when there is no file and reads back what it merged', async () => {
    const path = configFilePath(await temp.make());
    const store = new ConfigStore(path, () => {});
    await store.load();
    expect(store.get()).toEqual({});
    await store.merge({ a: 1 });
    const again = new ConfigStore(path, () => {});
    await again.load();
    expect(again.get()).toEqual({ a: 1 });
  });

  it('moves a corrupt config aside, reports it, and starts empty', async () => {
    const path = configFilePath(await temp.make());
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '[1,2');
    const lines: string[] = [];
    const store = new ConfigStore(path, (line) => lines.push(line));
    await store.load();
    expect(store.get()).toEqual({});
    expect(lines[0]).toContain(path);
    expect((await readdir(join(path, '..'))).some((name) => name.startsWith('config.json.corrupt-'))).toBe(
      true,
    );
  });
});
