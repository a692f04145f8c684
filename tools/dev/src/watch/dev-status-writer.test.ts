import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import type { DevStatusFile } from '@nexu/service-kit/dev-status';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceName } from '../services/manifest.js';
import { createDevStatusWriter, type DevStatusWriter, type LiveServiceFacts } from './dev-status-writer.js';

let dir: string;
let writer: DevStatusWriter | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nexu-dev-status-'));
});

afterEach(async () => {
  await writer?.close();
  writer = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const running = (pid: number, port: number): LiveServiceFacts => ({
  state: 'running',
  pid,
  port,
  healthy: true,
  startedAt: '2026-01-01T00:00:00.000Z',
  restarts: 0,
  reason: null,
});

/** A writer over fake facts: `facts[name]` is what the next read returns; `reads` counts reads. */
function start(
  secrets: string[] = [],
  initial: Record<string, LiveServiceFacts> = {},
  path = join(dir, 'dev-status.json'),
) {
  const facts: Record<string, LiveServiceFacts> = {
    gateway: running(11, 1001),
    controller: running(12, 1002),
    ...initial,
  };
  const reads: Record<string, number> = { gateway: 0, controller: 0 };
  writer = createDevStatusWriter({
    path,
    backend: 'systemd',
    services: (['gateway', 'controller'] as ServiceName[]).map((name, i) => ({
      name,
      port: 1001 + i,
      logPath: join(dir, `${name}.log`),
    })),
    readFacts: async (name) => {
      reads[name] = (reads[name] ?? 0) + 1;
      return facts[name]!;
    },
    readCrash: async (name, reason) => ({
      reason,
      message: 'Error: boom at startup',
      location: `apps/${name}/src/main.ts:3:7`,
      lines: ['Error: boom at startup', `    at main (/r/apps/${name}/src/main.ts:3:7)`],
    }),
    watcher: { pid: process.pid, startTime: '4242', startedAt: '2026-01-01T00:00:00.000Z' },
    secrets,
    onError: (error) => {
      throw error;
    },
  });
  const read = () => JSON.parse(readFileSync(path, 'utf8')) as DevStatusFile;
  const service = (name: string) => read().services.find((s) => s.name === name)!;
  return { path, facts, reads, read, service, writer };
}

describe('createDevStatusWriter', () => {
  it('never brings back a state folder removed under it (pnpm reset-state): no file, no error', async () => {
    const state = join(dir, 'state');
    mkdirSync(state);
    const { writer } = start([], {}, join(state, 'dev-status.json'));
    await writer.settled();
    expect(existsSync(join(state, 'dev-status.json'))).toBe(true);
    rmSync(state, { recursive: true });
    // onError throws (see start): an update that reported the missing folder would fail here.
    writer.record({ kind: 'building', service: 'controller', what: 'controller' });
    await writer.settled();
    expect(existsSync(state)).toBe(false);
  });

  it('writes every service’s facts and the watcher once they are read, owner-only', async () => {
    const { path, read, writer } = start();
    await writer.settled();
    expect(read()).toMatchObject({
      version: 1,
      watcher: { pid: process.pid, startTime: '4242' },
      backend: 'systemd',
      services: [
        { name: 'gateway', state: 'running', pid: 11, port: 1001, restarts: 0, activity: null, crash: null },
        { name: 'controller', state: 'running', pid: 12, port: 1002, buildFailures: [], lastReload: null },
      ],
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('shows a failed build with file:line:col until that part builds again, then the reload and new facts', async () => {
    const { service, reads, facts, writer } = start();
    await writer.settled();
    writer.record({ kind: 'building', service: 'controller', what: 'controller' });
    writer.record({
      kind: 'build-failed',
      service: 'controller',
      what: 'controller',
      errors: [{ file: 'apps/controller/src/revision.ts', line: 1, column: 27, text: 'Unexpected ";"' }],
    });
    await writer.settled();
    expect(service('controller')).toMatchObject({
      activity: null,
      buildFailures: [
        {
          what: 'controller',
          errors: [{ file: 'apps/controller/src/revision.ts', line: 1, column: 27, text: 'Unexpected ";"' }],
        },
      ],
    });

    writer.record({ kind: 'restarting', service: 'controller', what: 'controller' });
    await writer.settled();
    expect(service('controller')).toMatchObject({ activity: 'reloading', buildFailures: [] });
    const before = reads.controller!;
    facts.controller = running(99, 1002);
    writer.record({ kind: 'reloaded', service: 'controller', what: 'controller', durationMs: 289 });
    await writer.settled();
    expect(reads.controller).toBeGreaterThan(before);
    expect(service('controller')).toMatchObject({
      pid: 99,
      activity: null,
      lastReload: { what: 'controller', ok: true, durationMs: 289, error: null },
    });
  });

  it('keeps the failures of a web server and its client apart', async () => {
    const { service, writer } = start();
    await writer.settled();
    const failed = (what: string) => ({
      kind: 'build-failed' as const,
      service: 'gateway' as const,
      what,
      errors: [{ file: undefined, line: undefined, column: undefined, text: `${what} broke` }],
    });
    writer.record(failed('web server'));
    writer.record(failed('web client'));
    writer.record({ kind: 'built', service: 'gateway', what: 'web server' });
    await writer.settled();
    expect(service('gateway').buildFailures).toEqual([
      {
        what: 'web client',
        at: expect.any(String),
        errors: [{ file: null, line: null, column: null, text: 'web client broke' }],
      },
    ]);
  });

  it('reads a crashed service’s error, and follows a changing one until it settles', async () => {
    const { service, facts, reads, writer } = start([], {
      gateway: { ...running(11, 1001), state: 'starting', healthy: false },
    });
    await writer.settled();
    await waitFor(() => reads.gateway! >= 2, { timeoutMs: 5_000 });
    facts.gateway = {
      state: 'crashed',
      pid: null,
      port: 1001,
      healthy: false,
      startedAt: null,
      restarts: 5,
      reason: 'crash loop: 5 failed starts in 30s',
    };
    expect((await waitFor(() => service('gateway').state === 'crashed', { timeoutMs: 5_000 })).ok).toBe(true);
    await writer.settled();
    expect(service('gateway')).toMatchObject({
      restarts: 5,
      crash: {
        reason: 'crash loop: 5 failed starts in 30s',
        message: 'Error: boom at startup',
        location: 'apps/gateway/src/main.ts:3:7',
      },
    });
    const settledReads = reads.gateway;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(reads.gateway).toBe(settledReads);
  });

  it('reads a service’s facts again when its log grows', async () => {
    const { reads, writer } = start();
    writeFileSync(join(dir, 'controller.log'), '');
    await writer.settled();
    const before = reads.controller!;
    appendFileSync(join(dir, 'controller.log'), 'controller listening\n');
    expect((await waitFor(() => reads.controller! > before, { timeoutMs: 5_000 })).ok).toBe(true);
  });

  it('never writes a secret', async () => {
    const { path, writer } = start(['s3cret-token']);
    await writer.settled();
    writer.record({
      kind: 'reload-failed',
      service: 'gateway',
      what: 'gateway',
      message: 'bad token s3cret-token\nmore',
    });
    await writer.settled();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('s3cret-token');
    expect(text).toContain('bad token ***');
  });

  it('removes its file on close, but not a file another session wrote since', async () => {
    const { path, writer: own } = start();
    await own.settled();
    await own.close();
    expect(() => statSync(path)).toThrow();

    const again = start();
    await again.writer.settled();
    const other = { ...again.read(), watcher: { pid: 1, startTime: 'x', startedAt: 'y' } };
    writeFileSync(path, JSON.stringify(other));
    await again.writer.close();
    expect(JSON.parse(readFileSync(path, 'utf8')).watcher.pid).toBe(1);
  });
});
