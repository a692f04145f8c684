import type { Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { parseCapMarker } from './cap-log.js';
import { decodeLine, readLastLines, splitLines } from './read-last-lines.js';

const CHUNK = 64 * 1024;
/** A "line" longer than this without a newline is emitted in pieces rather than buffered forever. */
const MAX_PARTIAL = 1024 * 1024;

/**
 * One log file followed by path, like `tail -F`: the open handle is read from the last offset;
 * the path is re-checked on every poll so a replaced (renamed) or re-created file is picked up,
 * a shrunk file is re-read from the start (or from the mapped offset after a cap), and a missing
 * file is waited for. Only whole lines are emitted; the bytes of a line still being written wait
 * in `partial` (UTF-8 is decoded per whole line, so a character split across chunks is intact).
 */
export class TrackedLogFile {
  private handle: FileHandle | undefined;
  private identity: { dev: number; ino: number } | undefined;
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);

  constructor(
    readonly path: string,
    private readonly emit: (line: string) => void,
  ) {}

  /** Opens the file if it exists and emits its last `count` whole lines; follows from its end. */
  async start(count: number): Promise<void> {
    if (!(await statOrUndefined(this.path)) || !(await this.openFromStart())) return;
    const size = (await this.handle!.stat()).size;
    const { lines, rest } = await readLastLines(this.handle!, size, count);
    for (const line of lines) this.emit(line);
    this.offset = size;
    this.partial = rest;
  }

  /** Reads what was appended since the last check and follows a replaced or new file. */
  async check(): Promise<void> {
    if (this.handle) await this.drain();
    const info = await statOrUndefined(this.path);
    const same = info && this.identity && info.dev === this.identity.dev && info.ino === this.identity.ino;
    if (same) return;
    if (this.handle) {
      // Gone or replaced: read what was appended since the drain above (the writer may have
      // written just before the swap); then its unterminated last line is final.
      await this.drain();
      await this.release();
    }
    if (info && (await this.openFromStart())) await this.drain();
  }

  /** Unterminated bytes of the current line (emitted by `--no-follow` as the last line). */
  flushPartial(): void {
    if (this.partial.length > 0) this.emit(decodeLine(this.partial));
    this.partial = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.identity = undefined;
    await handle?.close();
  }

  /** Opens the file at offset 0; false when it vanished since the stat. */
  private async openFromStart(): Promise<boolean> {
    try {
      this.handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    // The path may have been replaced between stat and open: the handle's identity is the truth.
    const opened = await this.handle.stat();
    this.identity = { dev: opened.dev, ino: opened.ino };
    this.offset = 0;
    this.partial = Buffer.alloc(0);
    return true;
  }

  private async release(): Promise<void> {
    this.flushPartial();
    await this.close();
  }

  private async drain(): Promise<void> {
    const handle = this.handle!;
    let size = (await handle.stat()).size;
    if (size < this.offset) await this.onShrink(handle, size);
    const buffer = Buffer.alloc(CHUNK);
    while (this.offset < size) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - this.offset), this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      this.take(buffer.subarray(0, bytesRead));
      if (this.offset >= size) size = (await handle.stat()).size;
    }
  }

  /**
   * The file got shorter than what we read. After `capLogFile` the first line says how many bytes
   * were dropped, so our offset maps into the kept tail and nothing is shown twice; any other
   * truncation starts over from 0.
   */
  private async onShrink(handle: FileHandle, size: number): Promise<void> {
    const head = Buffer.alloc(Math.min(512, size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const firstNewline = head.subarray(0, bytesRead).indexOf(0x0a);
    const dropped = firstNewline >= 0 ? parseCapMarker(head.toString('utf8', 0, firstNewline)) : undefined;
    if (dropped !== undefined && this.offset >= dropped) {
      const mapped = firstNewline + 1 + (this.offset - dropped);
      if (mapped <= size) {
        this.offset = mapped;
        return;
      }
    }
    this.flushPartial();
    this.offset = 0;
  }

  private take(chunk: Buffer): void {
    const lastNewline = chunk.lastIndexOf(0x0a);
    if (lastNewline < 0) {
      this.partial = Buffer.concat([this.partial, chunk]);
      if (this.partial.length > MAX_PARTIAL) this.flushPartial();
      return;
    }
    const whole = Buffer.concat([this.partial, chunk.subarray(0, lastNewline + 1)]);
    for (const line of splitLines(whole)) this.emit(line);
    this.partial = Buffer.from(chunk.subarray(lastNewline + 1));
  }
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
