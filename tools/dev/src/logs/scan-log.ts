import { readFile } from 'node:fs/promises';
import { splitLogStamp } from '@nexu/service-kit';

/** Which lines of a log to keep. */
export interface LogLineFilter {
  /** Keep lines whose text (without the time stamp) matches. */
  readonly pattern?: RegExp;
  /** Keep lines written at or after this time (ms since the epoch). */
  readonly since?: number;
}

/** One kept line: its text and when it was written (ms; that of the stamped line before it when it has none). */
export interface ScannedLine {
  readonly text: string;
  readonly time: number | null;
}

/**
 * The lines of the log at `path` that pass `filter`, oldest first, at most the last `limit`;
 * `undefined` when the file does not exist. Reads the file once and tests each line once: a
 * 10 MB log takes a fraction of a second. A line without a stamp (what node prints itself on a
 * fatal error) belongs to the stamped line before it.
 */
export async function scanLog(
  path: string,
  filter: LogLineFilter,
  limit = Number.POSITIVE_INFINITY,
): Promise<ScannedLine[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const kept: ScannedLine[] = [];
  const since = filter.since;
  const sinceIso = since === undefined ? undefined : new Date(since).toISOString();
  let time: string | null = null;
  let from = 0;
  while (from < text.length) {
    let end = text.indexOf('\n', from);
    if (end < 0) end = text.length;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(from, end - 1) : text.slice(from, end);
    from = end + 1;
    const line = splitLogStamp(raw);
    if (line.time !== null) time = line.time;
    // ISO times in UTC compare as strings: no date parsing per line.
    if (sinceIso !== undefined && (time === null || time < sinceIso)) continue;
    if (filter.pattern && !filter.pattern.test(line.text)) continue;
    kept.push({ text: line.text, time: time === null ? null : Date.parse(time) });
  }
  return kept.length > limit ? kept.slice(-limit) : kept;
}
