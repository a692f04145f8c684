import { join } from 'node:path';
import { isJsonObject, moveAside, readJsonFile, writeFileAtomic } from '@nexu/service-kit';

/** Path of the controller's config file under `NEXU_HOME`. */
export function configFilePath(nexuHome: string): string {
  return join(nexuHome, 'controller', 'config.json');
}

/**
 * The controller's small JSON config at `$NEXU_HOME/controller/config.json`. `merge()` applies a
 * shallow patch and persists it (atomic write, 0600); a corrupt file is reported and moved aside.
 */
export class ConfigStore {
  private current: Record<string, unknown> = {};
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly log: (line: string) => void,
  ) {}

  async load(): Promise<void> {
    const found = await readJsonFile(this.path);
    if (found.kind === 'missing') return;
    if (found.kind === 'ok' && isJsonObject(found.value)) {
      this.current = found.value;
      return;
    }
    const reason = found.kind === 'corrupt' ? found.reason : 'not a JSON object';
    const movedTo = await moveAside(this.path);
    this.log(
      `controller: config file ${this.path} is corrupt (${reason}); moved it to ${movedTo}, starting with {}`,
    );
  }

  get(): Record<string, unknown> {
    return this.current;
  }

  /** Shallow-merges `patch` into the config and resolves with the result once it is on disk. */
  async merge(patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.current = { ...this.current, ...patch };
    const snapshot = `${JSON.stringify(this.current, null, 2)}\n`;
    const next = this.writes.then(() => writeFileAtomic(this.path, snapshot));
    this.writes = next.catch(() => {});
    await next;
    return this.current;
  }
}
