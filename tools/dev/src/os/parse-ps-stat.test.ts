import { parsePsLstart } from '@nexu/service-kit/proc-stat';
import { describe, expect, it } from 'vitest';
import { parsePsStat } from './parse-ps-stat.js';

// Recorded on Debian 12 (procps-ng 4.0.2), which prints `lstart` as macOS's ps does in the C
// locale: `LC_ALL=C ps -ww -o ppid=,pgid=,stat=,lstart=,command= -p 1818` of a node listener.
// macOS's format is quoted in public scripts as `Mon May  5 15:14:23 2026` (day padded with a
// blank); in another locale it is not English (`木  8/20 ...` in ja_JP), hence LC_ALL=C.
const DEBIAN =
  " 1814  1812 Sl   Mon Nov 30 00:57:31 2026 node -e require('net').createServer().listen(0,'127.0.0.1',function(){})\n";

describe('parsePsStat', () => {
  it('reads ppid, pgid, state, start time and the command', () => {
    expect(parsePsStat(DEBIAN)).toEqual({
      ppid: 1814,
      pgid: 1812,
      state: 'Sl',
      startTime: 'Mon Nov 30 00:57:31 2026',
      command: "node -e require('net').createServer().listen(0,'127.0.0.1',function(){})",
    });
  });

  it('collapses the blank that pads a one-digit day, so the same start compares equal', () => {
    const padded = parsePsStat('  501   501 Ss   Mon May  5 15:14:23 2026 /usr/local/bin/node main.js');
    expect(padded?.startTime).toBe('Mon May 5 15:14:23 2026');
    expect(parsePsLstart('Mon May  5 15:14:23 2026\n')).toBe(padded?.startTime);
  });

  it('returns null for no output (no such process) and for a non-English lstart', () => {
    expect(parsePsStat('')).toBeNull();
    expect(parsePsLstart('木  8/20 10:00:00 2026')).toBeNull();
  });
});
