import { join } from 'node:path';
import { isJsonObject, JsonStateFile } from '@nexu/service-kit';

/** One stored session. */
export interface SessionRecord {
  readonly data: unknown;
  readonly updatedAt: string;
}

interface StateFile {
  readonly version: 1;
  readonly sessions: Record<string, SessionRecord>;
}

/** Path of the gateway's state file under `NEXU_HOME`. */
export function stateFilePath(nexuHome: string): string {
  return join(nexuHome, 'gateway', 'state.json');
}

/**
 * The gateway's sessions, kept in memory and persisted to `$NEXU_HOME/gateway/state.json` after
 * every change (atomic write, 0600). Writes are serialised so an older snapshot never lands last.
 */
export class StateStore {
  private sessions = new Map<string, SessionRecord>();
  private readonly file: JsonStateFile<Map<string, SessionRecord>>;

  constructor(
    readonly path: string,
    log: (line: string) => void,
  ) {
    this.file = new JsonStateFile(path, {
      parse: parseState,
      shapeError: 'unexpected shape',
      label: 'gateway: state file',
      fallback: 'empty state',
      log,
    });
  }

  /** Loads the file; a corrupt one is reported, moved aside, and replaced by empty state. */
  async load(): Promise<void> {
    this.sessions = (await this.file.read()) ?? this.sessions;
  }

  get(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  list(): { id: string; updatedAt: string }[] {
    return [...this.sessions].map(([id, record]) => ({ id, updatedAt: record.updatedAt }));
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Stores a session and resolves once it is on disk. */
  async put(id: string, data: unknown): Promise<SessionRecord> {
    const record: SessionRecord = { data, updatedAt: new Date().toISOString() };
    this.sessions.set(id, record);
    const file: StateFile = { version: 1, sessions: Object.fromEntries(this.sessions) };
    await this.file.write(file);
    return record;
  }

  /** Resolves when every write queued so far has finished. */
  flush(): Promise<void> {
    return this.file.flush();
  }
}

function parseState(value: unknown): Map<string, SessionRecord> | undefined {
  if (!isJsonObject(value) || value.version !== 1 || !isJsonObject(value.sessions)) return undefined;
  const sessions = new Map<string, SessionRecord>();
  for (const [id, record] of Object.entries(value.sessions)) {
    if (!isJsonObject(record) || typeof record.updatedAt !== 'string' || !('data' in record))
      return undefined;
    sessions.set(id, { data: record.data, updatedAt: record.updatedAt });
  }
  return sessions;
}
