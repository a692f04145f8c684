/** One socket line of `/proc/net/tcp` or `/proc/net/tcp6`. */
export interface ProcNetTcpSocket {
  /** Local address in normal notation (`127.0.0.1`, `0.0.0.0`, `::`, `::1`, `::ffff:7f00:1`). */
  readonly address: string;
  readonly port: number;
  /** Kernel TCP state in hex; `0A` is LISTEN. */
  readonly state: string;
  readonly uid: number;
  /** Socket inode, matched against `/proc/<pid>/fd/* -> socket:[inode]`. */
  readonly inode: string;
}

export const TCP_LISTEN = '0A';

// The kernel prints each 32-bit word of the address in host byte order (little-endian on every
// platform we run on), so each word's bytes are reversed.
function wordBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < 8; i += 2) bytes.unshift(Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // The URL parser writes IPv6 in its canonical compressed form.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** Parses the text of `/proc/net/tcp` or `/proc/net/tcp6` into sockets; malformed lines are skipped. */
export function parseProcNetTcp(text: string): ProcNetTcpSocket[] {
  const sockets: ProcNetTcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [local, state, uid, inode] = [cols[1], cols[3], cols[7], cols[9]];
    const match = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(local ?? '');
    if (!match || !state || !uid || !inode) continue;
    sockets.push({
      address: decodeAddress(match[1]!),
      port: Number.parseInt(match[2]!, 16),
      state: state.toUpperCase(),
      uid: Number(uid),
      inode,
    });
  }
  return sockets;
}

/** Whether a listening address is reachable from this machine only (127.0.0.0/8, `::1`, mapped). */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (plain === '::1' || plain === 'localhost') return true;
  const v4 = plain.startsWith('::ffff:') ? plain.slice('::ffff:'.length) : plain;
  if (/^127\.\d+\.\d+\.\d+$/.test(v4)) return true;
  // The canonical IPv6 form of a mapped 127.x address is `::ffff:7fXX:XXXX`.
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(plain);
}
