import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRebuildQueue, type RebuildQueue } from './rebuild-queue.js';
import { createServiceBuilder, type ServiceBuilder } from './service-builder.js';

describe('createRebuildQueue', () => {
  let root: string;
  let builder: ServiceBuilder | undefined;
  let queue: RebuildQueue | undefined;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexu-rebuild-queue-'));
  });

  afterEach(async () => {
    await queue?.close();
    await builder?.dispose();
    queue = undefined;
    builder = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('turns a burst of 50 saves into far fewer real builds that end on the final content', async () => {
    const spec = { name: 'controller' as const, dir: 'svc' };
    await mkdir(join(root, 'svc/src'), { recursive: true });
    const save = (n: number) => writeFile(join(root, 'svc/src/main.ts'), `console.log('save ${n}');\n`);
    await save(0);
    builder = createServiceBuilder(spec, { root });
    let concurrent = 0;
    let maxConcurrent = 0;
    // The queue hands errors to onError and goes on: collect them (and failed builds) to assert.
    const failures: unknown[] = [];
    queue = createRebuildQueue({
      debounceMs: 5,
      run: async () => {
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        const result = await builder!.build();
        concurrent -= 1;
        if (!result.ok) failures.push(result.errors);
      },
      onError: (error) => failures.push(error),
    });

    // Saves spaced like a fast editor's, so builds do start during the burst and must coalesce.
    for (let n = 1; n <= 50; n++) {
      await save(n);
      queue.notify();
      await delay(n % 5 === 0 ? 10 : 1);
    }
    await queue.idle();

    const { events, builds } = queue.stats();
    console.log(`50 saves -> ${builds} rebuilds`);
    expect(events).toBe(50);
    expect(builds).toBeGreaterThan(0);
    expect(builds).toBeLessThan(50);
    expect(maxConcurrent).toBe(1);
    expect(failures).toEqual([]);
    expect(await readFile(join(root, 'svc/dist/main.js'), 'utf8')).toContain('save 50');
  });

  it('always runs once more after an event that arrives during a build', async () => {
    const seen: number[] = [];
    let value = 0;
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const firstStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    queue = createRebuildQueue({
      debounceMs: 1,
      run: async () => {
        seen.push(value);
        started();
        await blocked;
      },
    });
    value = 1;
    queue.notify();
    await firstStarted;
    for (value = 2; value <= 20; value++) queue.notify();
    value = 20;
    release();
    await queue.idle();
    expect(seen).toEqual([1, 20]);
    expect(queue.stats()).toEqual({ events: 20, builds: 2 });
  });

  it('close drops queued work and returns the same promise', async () => {
    let runs = 0;
    queue = createRebuildQueue({ run: async () => void runs++ });
    queue.notify();
    const closing = queue.close();
    expect(queue.close()).toBe(closing);
    await closing;
    queue.notify();
    await queue.idle();
    expect(runs).toBe(0);
  });
});
