import { moveAside, readJsonFile } from './read-json-file.js';
import { writeFileAtomic } from './write-file-atomic.js';

/** Options of `JsonStateFile`: how to check the file and how to report a corrupt one. */
export interface JsonStateFileOptions<T> {
  /** Checks the parsed JSON; `undefined` means the file has the wrong shape. */
  readonly parse: (value: unknown) => T | undefined;
  /** Why a wrongly shaped file is refused (`not a JSON object`). */
  readonly shapeError: string;
  /** Names the file in the log line (`gateway: state file`). */
  readonly label: string;
  /** What the service starts with instead of a corrupt file (`empty state`). */
  readonly fallback: string;
  /** Where the corrupt-file line goes. */
  readonly log: (line: string) => void;
}

/**
 * A service's JSON state file: a corrupt one is reported and moved aside; writes are atomic (0600)
 * and serialised, so an older snapshot never lands last.
 */
export class JsonStateFile<T> {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly options: JsonStateFileOptions<T>,
  ) {}

  /** The parsed file; `undefined` when it is missing or corrupt (then reported and moved aside). */
  async read(): Promise<T | undefined> {
    const found = await readJsonFile(this.path);
    if (found.kind === 'missing') return undefined;
    const value = found.kind === 'ok' ? this.options.parse(found.value) : undefined;
    if (value !== undefined) return value;
    const reason = found.kind === 'corrupt' ? found.reason : this.options.shapeError;
    const movedTo = await moveAside(this.path);
    this.options.log(
      `${this.options.label} ${this.path} is corrupt (${reason}); moved it to ${movedTo}, starting with ${this.options.fallback}`,
    );
    return undefined;
  }

  /** Writes `value` as JSON once every earlier write has finished; resolves when it is on disk. */
  write(value: unknown): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    const next = this.writes.then(() => writeFileAtomic(this.path, text));
    this.writes = next.catch(() => {});
    return next;
  }

  /** Resolves when every write queued so far has finished. */
  flush(): Promise<void> {
    return this.writes;
  }
}
