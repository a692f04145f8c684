import { describe, expect, it } from 'vitest';
import { parseLsofCwd, parseLsofListeners } from './parse-lsof.js';

// Recorded outputs, byte for byte:
// - MAC: macOS 15.7, lsof 4.91, a node listener (jlivingston-Cipher/godot-breakpoint-mcp, its
//   port-holder test: "the bytes lsof printed"); macOS adds an `f<fd>` line per file.
// - MAC_ESCAPED: the same source, Activity Monitor's `ROLI Hardware Driver` as lsof spells it.
// - DEBIAN: Debian 12, lsof 4.95.0, `lsof -nP -iTCP:35073 -sTCP:LISTEN -Fpcn` of a node listener
//   and `lsof -a -p 1818 -d cwd -Fn` of the same process, recorded on this project's CI machine.
const MAC = 'p19023\ncnode\nf12\nn127.0.0.1:58567\n';
const MAC_ESCAPED = 'p87502\ncROLI\\x20Hardware\\x20Driver\nf4\nn127.0.0.1:12911\n';
const DEBIAN = 'p1818\ncnode\nn127.0.0.1:35073\n';
const DEBIAN_CWD = 'p1818\nn/tmp/wt14/rec\n';

describe('parseLsofListeners', () => {
  it('reads the macOS field output, skipping its fd lines', () => {
    expect(parseLsofListeners(MAC)).toEqual([{ pid: 19023, command: 'node', address: '127.0.0.1' }]);
  });

  it('reads the Linux field output, which has no fd lines', () => {
    expect(parseLsofListeners(DEBIAN)).toEqual([{ pid: 1818, command: 'node', address: '127.0.0.1' }]);
  });

  it("decodes lsof's \\xNN escapes in command names", () => {
    expect(parseLsofListeners(MAC_ESCAPED)).toEqual([
      { pid: 87502, command: 'ROLI Hardware Driver', address: '127.0.0.1' },
    ]);
  });

  it('reads a dual-stack listener as two sockets of one process, IPv6 without brackets', () => {
    expect(parseLsofListeners('p7\ncGodot\nf3\nn127.0.0.1:9081\nf4\nn[::1]:9081\n')).toEqual([
      { pid: 7, command: 'Godot', address: '127.0.0.1' },
      { pid: 7, command: 'Godot', address: '::1' },
    ]);
  });

  it('reads nothing when nothing listens (lsof prints nothing and exits 1)', () => {
    expect(parseLsofListeners('')).toEqual([]);
  });
});

describe('parseLsofCwd', () => {
  it('reads the working directory line', () => {
    expect(parseLsofCwd(DEBIAN_CWD)).toBe('/tmp/wt14/rec');
    expect(parseLsofCwd('')).toBeNull();
  });
});
