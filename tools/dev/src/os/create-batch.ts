/** Requests for keys, answered together. */
export interface Batch<K, V> {
  /** The value for `key`, from the one call made for every key asked in the same turn. */
  get(key: K): Promise<V>;
}

interface Request<V> {
  readonly promise: Promise<V>;
  resolve(value: V): void;
  reject(error: unknown): void;
}

function request<V>(): Request<V> {
  let resolve!: (value: V) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Batches requests: every key asked for in the same turn of the event loop is answered by one call
 * of `load` (each key once, in the order first asked), which returns one value per key. A failed
 * load fails every request of its batch. Nothing is cached beyond the batch.
 */
export function createBatch<K, V>(load: (keys: readonly K[]) => Promise<readonly V[]>): Batch<K, V> {
  let pending: Map<K, Request<V>> | undefined;
  const flush = async (batch: Map<K, Request<V>>) => {
    const keys = [...batch.keys()];
    try {
      const values = await load(keys);
      for (const [i, key] of keys.entries()) batch.get(key)?.resolve(values[i] as V);
    } catch (error) {
      for (const entry of batch.values()) entry.reject(error);
    }
  };
  return {
    get(key) {
      let batch = pending;
      if (!batch) {
        const created = new Map<K, Request<V>>();
        batch = created;
        pending = created;
        setImmediate(() => {
          pending = undefined;
          void flush(created);
        });
      }
      let entry = batch.get(key);
      if (!entry) {
        entry = request<V>();
        batch.set(key, entry);
      }
      return entry.promise;
    },
  };
}
