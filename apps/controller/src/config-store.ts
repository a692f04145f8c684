import { join } from 'node:path';
import { isJsonObject, JsonStateFile } from '@nexu/service-kit';

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
  private readonly file: JsonStateFile<Record<string, unknown>>;

  constructor(
    readonly path: string,
    log: (line: string) => void,
  ) {
    this.file = new JsonStateFile(path, {
      parse: (value) => (isJsonObject(value) ? value : undefined),
      shapeError: 'not a JSON object',
      label: 'controller: config file',
      fallback: '{}',
      log,
    });
  }

  async load(): Promise<void> {
    this.current = (await this.file.read()) ?? this.current;
  }

  get(): Record<string, unknown> {
    return this.current;
  }

  /** Shallow-merges `patch` into the config and resolves with the result once it is on disk. */
  async merge(patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.current = { ...this.current, ...patch };
    await this.file.write(this.current);
    return this.current;
  }
}
