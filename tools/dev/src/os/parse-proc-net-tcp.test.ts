import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, parseProcNetTcp } from './parse-proc-net-tcp.js';

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const line = (local: string, state: string, inode: string) =>
  `   0: ${local} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

describe('parseProcNetTcp', () => {
  it.each([
    ['0100007F:4965', '127.0.0.1', 18789],
    ['00000000:4966', '0.0.0.0', 18790],
    ['00000000000000000000000000000000:4967', '::', 18791],
    ['00000000000000000000000001000000:1F90', '::1', 8080],
    ['0000000000000000FFFF00000100007F:0050', '::ffff:7f00:1', 80],
  ])('decodes %s as %s port %i', (local, address, port) => {
    expect(parseProcNetTcp(HEADER + line(local, '0A', '4242'))).toEqual([
      { address, port, state: '0A', uid: 1000, inode: '4242' },
    ]);
  });

  it('skips the header, blank and malformed lines', () => {
    expect(parseProcNetTcp(`${HEADER}\n   1: nonsense\n${line('0100007F:0050', '01', '7')}`)).toHaveLength(1);
  });
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', '::ffff:7f00:1'])(
    '%s is loopback',
    (a) => expect(isLoopbackAddress(a)).toBe(true),
  );
  it.each(['0.0.0.0', '::', '*', '192.168.1.2', '::ffff:c0a8:102'])('%s is not loopback', (a) =>
    expect(isLoopbackAddress(a)).toBe(false),
  );
});
