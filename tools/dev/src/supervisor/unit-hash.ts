import { createHash } from 'node:crypto';

/** Stable content hash of a rendered unit (plist, systemd unit, process unit): 16 hex digits. */
export function hashUnit(rendered: string): string {
  return createHash('sha256').update(rendered, 'utf8').digest('hex').slice(0, 16);
}
