import { StringDecoder } from 'node:string_decoder';

/**
 * The time every line a service writes under nexu dev starts with (`2026-12-03T10:42:05.123Z `):
 * `pnpm logs --since` finds lines by it, and every reader of the logs strips it again. One
 * definition, here, for the writer and the readers.
 */
export const LOG_STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) /;

/** Length of a stamp with its space, for readers that check cheaply before matching. */
export const LOG_STAMP_LENGTH = 25;

/** A line's stamp (ISO time) and its text; `time` is null for a line written without one. */
export function splitLogStamp(line: string): { readonly time: string | null; readonly text: string } {
  if (line.length < LOG_STAMP_LENGTH || line.charCodeAt(LOG_STAMP_LENGTH - 1) !== 32)
    return { time: null, text: line };
  const match = LOG_STAMP.exec(line);
  return match ? { time: match[1]!, text: line.slice(LOG_STAMP_LENGTH) } : { time: null, text: line };
}

/**
 * Makes every line written through `stream` start with the time it was written. What node itself
 * prints on a fatal error bypasses the stream: such lines carry no stamp, and count as written at
 * the time of the stamped line before them.
 */
export function stampOutput(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (
    chunk: string,
    encoding: BufferEncoding,
    cb?: (error?: Error | null) => void,
  ) => boolean;
  const decoder = new StringDecoder('utf8');
  let atLineStart = true;
  stream.write = ((
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | ((error?: Error | null) => void),
    cb?: (error?: Error | null) => void,
  ) => {
    const callback = typeof encoding === 'function' ? encoding : cb;
    const text =
      typeof chunk === 'string'
        ? typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8'
          ? Buffer.from(chunk, encoding).toString('utf8')
          : chunk
        : decoder.write(Buffer.from(chunk));
    if (text.length === 0) return write('', 'utf8', callback);
    const stamp = `${new Date().toISOString()} `;
    const stamped = (atLineStart ? stamp : '') + text.replace(/\n(?=[\s\S])/g, `\n${stamp}`);
    atLineStart = text.endsWith('\n');
    return write(stamped, 'utf8', callback);
  }) as typeof stream.write;
}
