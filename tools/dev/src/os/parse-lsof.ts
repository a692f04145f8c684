/** One listening socket as `lsof -F pcn` reports it. */
export interface LsofListener {
  /** Local address without the port (`127.0.0.1`, `::1`, `*`). */
  readonly address: string;
  readonly pid: number;
  readonly command: string;
}

// lsof writes unprintable and space characters of a name as `\xNN` (a command `ROLI Hardware
// Driver` comes out as `ROLI\x20Hardware\x20Driver`).
const decodeLsofName = (name: string) =>
  name.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/**
 * Parses `lsof -nP -iTCP:<port> -sTCP:LISTEN -Fpcn`: a `p<pid>` line opens a process, `c<command>`
 * names it, every `n<address>:<port>` is one of its sockets; other field lines (`f<fd>` on macOS)
 * are skipped (docs/platform.md, "Port owners").
 */
export function parseLsofListeners(text: string): LsofListener[] {
  const listeners: LsofListener[] = [];
  let pid: number | undefined;
  let command: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('p')) [pid, command] = [Number(line.slice(1)), undefined];
    else if (line.startsWith('c')) command = decodeLsofName(line.slice(1));
    else if (line.startsWith('n') && pid !== undefined && Number.isSafeInteger(pid)) {
      const colon = line.lastIndexOf(':');
      if (colon < 1) continue;
      const address = line.slice(1, colon).replace(/^\[|\]$/g, '');
      listeners.push({ address, pid, command: command ?? '?' });
    }
  }
  return listeners;
}

/** Parses `lsof -a -p <pid> -d cwd -Fn`: the working directory, or null when none is listed. */
export function parseLsofCwd(text: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith('n'));
  return line ? line.slice(1) : null;
}
