import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temp directories made by one test file; `removeAll()` in `afterEach`. */
export class TempDirs {
  private readonly dirs: string[] = [];

  /** Makes a fresh directory under the OS temp dir. */
  async make(prefix = 'nexu-test-'): Promise<string> {
    const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)));
    this.dirs.push(dir);
    return dir;
  }

  /** Removes every directory made so far. */
  async removeAll(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
