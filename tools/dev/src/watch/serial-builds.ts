/** One builder's build/warm-up/dispose, run strictly one after another. */
export interface SerialBuilds<R> {
  /** Runs a real build after whatever is running or queued. */
  build(): Promise<R>;
  /** Runs a build that only primes caches (`run(false)`), after whatever is running. */
  warmUp(): Promise<void>;
  /** Waits for the running build, then cleans up; idempotent, returns the same promise. */
  dispose(): Promise<void>;
  /** True once `dispose()` was called. */
  readonly disposed: boolean;
}

/**
 * Serialises the builds of one builder: two overlapping builds of one output folder would race on
 * its files. A failed run never blocks the ones queued after it.
 */
export function serialBuilds<R>(
  run: (write: boolean) => Promise<R>,
  cleanup: () => Promise<void> = async () => {},
): SerialBuilds<R> {
  let chain: Promise<unknown> = Promise.resolve();
  let disposing: Promise<void> | undefined;
  const enqueue = <T>(step: () => Promise<T>): Promise<T> => {
    const next = chain.then(step);
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    build: () => enqueue(() => run(true)),
    warmUp: () => enqueue(() => run(false)).then(() => undefined),
    dispose() {
      disposing ??= chain.then(cleanup);
      return disposing;
    },
    get disposed() {
      return disposing !== undefined;
    },
  };
}
