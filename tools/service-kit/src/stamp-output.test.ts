import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { splitLogStamp, stampOutput } from './stamp-output.js';

function recorder() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('stampOutput', () => {
  it('starts every line with its time, also lines split over several writes and several lines in one', () => {
    const { stream, text } = recorder();
    stampOutput(stream);
    stream.write('one ');
    stream.write('line\ntwo\nthr');
    stream.write(Buffer.from('ee\n'));
    const lines = text().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => splitLogStamp(line).text)).toEqual(['one line', 'two', 'three']);
    for (const line of lines) expect(splitLogStamp(line).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('splitLogStamp', () => {
  it('leaves a line without a stamp as it is', () => {
    expect(splitLogStamp('    at main (apps/gateway/src/main.ts:3:9)')).toEqual({
      time: null,
      text: '    at main (apps/gateway/src/main.ts:3:9)',
    });
    expect(splitLogStamp('2026-12-03T10:42:05.123Z gateway listening')).toEqual({
      time: '2026-12-03T10:42:05.123Z',
      text: 'gateway listening',
    });
  });
});
