import { open } from 'node:fs/promises';
import type { Checkout } from '../checkout/checkout.js';
import { SERVICE_NAMES } from '../services/manifest.js';
import { serviceLogPath, WATCH_LOG_NAME } from '../services/service-log-path.js';

/** A log longer than this is cut down at the next check. */
export const LOG_CAP_BYTES = 10 * 1024 * 1024;
/** How much of the end of a capped log is kept (then cut forward to a line start). */
export const LOG_KEEP_BYTES = 2 * 1024 * 1024;

export interface CapLogOptions {
  /** Cap only when the file is larger than this (default `LOG_CAP_BYTES`). */
  maxBytes?: number;
  /** Keep at most this many bytes of the tail (default `LOG_KEEP_BYTES`); must be < `maxBytes`. */
  keepBytes?: number;
}

export type CapLogResult =
  | { readonly outcome: 'missing' }
  | { readonly outcome: 'under-cap'; readonly size: number }
  | { readonly outcome: 'capped'; readonly droppedBytes: number; readonly size: number };

const MARKER_PREFIX = '[nexu dev] log capped: dropped ';
const MARKER = /^\[nexu dev\] log capped: dropped (\d+) bytes/;

/**
 * The number of bytes dropped, when `firstLine` is the marker line `capLogFile` writes at the start
 * of a capped log. A follower uses it to map its old read offset into the capped file.
 */
export function parseCapMarker(firstLine: string): number | undefined {
  const match = MARKER.exec(firstLine);
  return match ? Number(match[1]) : undefined;
}

/**
 * Truncates a log IN PLACE to its tail when it passes `maxBytes`: reads the tail, writes a marker
 * line plus the tail at offset 0 and truncates the file to that length. The tail starts at a line
 * boundary.
 *
 * Why in place: launchd, systemd and the process keeper hold the log open in append mode, so
 * renaming the file away would send their output into the renamed file. O_APPEND writers always
 * write at the current end, so after the truncation they simply continue at the new end.
 *
 * The race, honestly: bytes a service appends after our last size check and before the truncate
 * are lost. We re-check the size after writing the tail and copy late bytes over before truncating,
 * which narrows the window to the microseconds between that check and `ftruncate`.
 */
export async function capLogFile(path: string, options: CapLogOptions = {}): Promise<CapLogResult> {
  const maxBytes = options.maxBytes ?? LOG_CAP_BYTES;
  const keepBytes = Math.min(options.keepBytes ?? LOG_KEEP_BYTES, maxBytes);
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { outcome: 'missing' };
    throw error;
  }
  try {
    let end = (await file.stat()).size;
    if (end <= maxBytes) return { outcome: 'under-cap', size: end };

    const window = Buffer.alloc(keepBytes);
    const { bytesRead } = await file.read(window, 0, keepBytes, end - keepBytes);
    const newline = window.subarray(0, bytesRead).indexOf(0x0a);
    // No newline in the whole window: one giant line; keep the window as is.
    const tail = newline >= 0 ? window.subarray(newline + 1, bytesRead) : window.subarray(0, bytesRead);
    const droppedBytes = end - tail.length;
    const marker = Buffer.from(
      `${MARKER_PREFIX}${droppedBytes} bytes at ${new Date().toISOString()} (kept the last ${tail.length})\n`,
    );
    await file.write(Buffer.concat([marker, tail]), 0, marker.length + tail.length, 0);
    let length = marker.length + tail.length;

    // Copy bytes appended while we were busy (at most a few rounds; a service writing faster than
    // we copy would otherwise keep us here).
    for (let round = 0; round < 5; round++) {
      const now = (await file.stat()).size;
      if (now <= end) break;
      const late = Buffer.alloc(now - end);
      const read = await file.read(late, 0, late.length, end);
      await file.write(late, 0, read.bytesRead, length);
      length += read.bytesRead;
      end += read.bytesRead;
    }
    await file.truncate(length);
    return { outcome: 'capped', droppedBytes, size: length };
  } finally {
    await file.close();
  }
}

/** Caps every service log of `checkout` (missing logs are skipped). */
export async function capLogs(
  checkout: Checkout,
  options: CapLogOptions = {},
): Promise<Record<string, CapLogResult>> {
  const results: Record<string, CapLogResult> = {};
  // The background watch session's log too: it runs as long as the services.
  for (const service of [...SERVICE_NAMES, WATCH_LOG_NAME]) {
    results[service] = await capLogFile(serviceLogPath(checkout, service), options);
  }
  return results;
}
