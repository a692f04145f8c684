import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followForTest } from '../test-support/follow-for-test.js';
import { capLogFile } from './cap-log.js';
import type { LogFollower, LogLine } from './follow-logs.js';

let dir: string;
let followers: LogFollower[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'follow-logs-'));
  followers = [];
});

afterEach(async () => {
  await Promise.all(followers.map((f) => f.close()));
  rmSync(dir, { recursive: true, force: true });
});

const follow = (sources: Record<string, string>, lines = 10) => followForTest(followers, sources, lines);

const texts = (seen: LogLine[]) => seen.map(({ service, line }) => `${service}: ${line}`);

async function expectEventually(check: () => boolean, what: string) {
  const result = await waitFor(check, { timeoutMs: 10_000 });
  expect(result.ok, what).toBe(true);
}

describe('followLogs', () => {
  it('emits the last lines of several files tagged with their service, then appended lines', async () => {
    const gateway = join(dir, 'gateway.log');
    const web = join(dir, 'web.log');
    writeFileSync(gateway, 'g1\ng2\n');
    writeFileSync(web, 'w1\n');
    const { follower, seen } = follow({ gateway, web });
    await follower.ready;
    expect(texts(seen)).toEqual(['gateway: g1', 'gateway: g2', 'web: w1']);

    appendFileSync(web, 'w2\n');
    await expectEventually(() => seen.length === 4, 'web line appended');
    appendFileSync(gateway, 'g3\n');
    await expectEventually(() => seen.length === 5, 'gateway line appended');
    expect(texts(seen).slice(3)).toEqual(['web: w2', 'gateway: g3']);
  });

  it('shows only the last N lines of each file first', async () => {
    const path = join(dir, 'controller.log');
    writeFileSync(path, Array.from({ length: 100 }, (_, i) => `line ${i + 1}\n`).join(''));
    const { follower, seen } = follow({ controller: path }, 3);
    await follower.ready;
    expect(seen.map((s) => s.line)).toEqual(['line 98', 'line 99', 'line 100']);
  });

  it('emits a line written in two chunks once, whole, even with a UTF-8 character split across them', async () => {
    const path = join(dir, 'web.log');
    writeFileSync(path, '');
    const { follower, seen } = follow({ web: path });
    await follower.ready;
    const line = Buffer.from('half and héllo\n');
    const split = line.indexOf(0xc3) + 1; // between the two bytes of "é"
    appendFileSync(path, line.subarray(0, split));
    await follower.nextPoll();
    await follower.nextPoll();
    expect(seen).toEqual([]);
    appendFileSync(path, line.subarray(split));
    await expectEventually(() => seen.length > 0, 'the completed line');
    await follower.nextPoll();
    expect(seen).toEqual([{ service: 'web', line: 'half and héllo' }]);
  });

  it('follows a log file (and its folder) that appears after it started', async () => {
    const logs = join(dir, 'later', 'logs');
    const path = join(logs, 'gateway.log');
    const { follower, seen } = follow({ gateway: path });
    await follower.ready;
    await follower.nextPoll();
    mkdirSync(logs, { recursive: true });
    writeFileSync(path, 'first\nsecond\n');
    await expectEventually(() => seen.length === 2, 'both lines of the new file');
    expect(seen.map((s) => s.line)).toEqual(['first', 'second']);
  });

  it('starts over from the beginning after the file is truncated', async () => {
    const path = join(dir, 'controller.log');
    writeFileSync(path, 'old one\nold two\n');
    const { follower, seen } = follow({ controller: path });
    await follower.ready;
    truncateSync(path, 0);
    await follower.nextPoll();
    appendFileSync(path, 'new\n');
    await expectEventually(() => seen.some((s) => s.line === 'new'), 'the line after truncation');
    expect(seen.map((s) => s.line)).toEqual(['old one', 'old two', 'new']);
  });

  it('follows a file replaced by rename and keeps what the old file had', async () => {
    const path = join(dir, 'web.log');
    writeFileSync(path, 'a\n');
    const { follower, seen } = follow({ web: path });
    await follower.ready;
    appendFileSync(path, 'b\n');
    const replacement = join(dir, 'web.log.new');
    writeFileSync(replacement, 'c\n');
    renameSync(replacement, path);
    await expectEventually(() => seen.some((s) => s.line === 'c'), 'the replacement line');
    appendFileSync(path, 'd\n');
    await expectEventually(() => seen.some((s) => s.line === 'd'), 'a line appended to the replacement');
    expect(seen.map((s) => s.line)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('shows nothing twice after capLogFile cut the file in place', async () => {
    const path = join(dir, 'gateway.log');
    writeFileSync(path, Array.from({ length: 200 }, (_, i) => `before ${i}\n`).join(''));
    const { follower, seen } = follow({ gateway: path }, 0);
    await follower.ready;
    expect((await capLogFile(path, { maxBytes: 1000, keepBytes: 500 })).outcome).toBe('capped');
    await follower.nextPoll();
    appendFileSync(path, 'after\n');
    await expectEventually(() => seen.length > 0, 'the line after the cap');
    await follower.nextPoll();
    expect(seen.map((s) => s.line)).toEqual(['after']);
  });
});
