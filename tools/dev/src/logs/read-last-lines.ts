import { type FileHandle, open } from 'node:fs/promises';
import { splitLogStamp } from '@nexu/service-kit';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/** The end of a file split into whole lines and the unterminated bytes after the last newline. */
export interface LastLines {
  /** At most `count` whole lines (newline and a trailing `\r` removed), oldest first. */
  readonly lines: string[];
  /** Bytes after the last newline (a line still being written); empty when the file ends in `\n`. */
  readonly rest: Buffer;
}

/**
 * Reads the last `count` whole lines of the first `end` bytes of `file`, walking back from `end`
 * in chunks so a large log costs only what is shown. Lines are decoded only once whole, so a
 * UTF-8 character is never cut.
 */
export async function readLastLines(file: FileHandle, end: number, count: number): Promise<LastLines> {
  const chunks: Buffer[] = [];
  let start = end;
  let newlines = 0;
  // One more newline than `count` marks the start of the oldest wanted line.
  while (start > 0 && newlines <= count) {
    const size = Math.min(CHUNK, start);
    start -= size;
    const chunk = Buffer.alloc(size);
    const { bytesRead } = await file.read(chunk, 0, size, start);
    const read = chunk.subarray(0, bytesRead);
    for (const byte of read) if (byte === NEWLINE) newlines++;
    chunks.unshift(read);
  }
  const text = Buffer.concat(chunks);
  const lastNewline = text.lastIndexOf(NEWLINE);
  const rest = Buffer.from(text.subarray(lastNewline + 1));
  if (lastNewline < 0 || count <= 0) return { lines: [], rest };
  const lines = splitLines(text.subarray(0, lastNewline + 1));
  // When we stopped before the file start, the first piece is a partial line: drop it.
  return { lines: lines.slice(-count), rest };
}

/** Splits bytes that end in a newline into decoded lines (without `\n` / `\r\n`). */
export function splitLines(bytes: Buffer): string[] {
  const lines: string[] = [];
  let from = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, from)) {
    lines.push(decodeLine(bytes.subarray(from, at)));
    from = at + 1;
  }
  return lines;
}

/** Decodes one line's bytes, dropping a trailing `\r` and the time the service stamped it with. */
export function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return splitLogStamp(bytes.toString('utf8', 0, end)).text;
}

/**
 * The last `count` lines of the file at `path`, counting an unterminated last line as a line
 * (like `tail -n`); `undefined` when the file does not exist.
 */
export async function readLogTail(path: string, count: number): Promise<string[] | undefined> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { lines, rest } = await readLastLines(file, (await file.stat()).size, count);
    if (rest.length === 0 || count <= 0) return lines;
    return [...lines, decodeLine(rest)].slice(-count);
  } finally {
    await file.close();
  }
}
