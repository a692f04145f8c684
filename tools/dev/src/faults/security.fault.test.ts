import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import type { StartReport } from '../commands/start.js';
import { parseProcNetTcp, TCP_LISTEN } from '../os/parse-proc-net-tcp.js';
import { findPortOwner } from '../os/port-owner.js';
import { resolvePlatform } from '../supervisor/platform.js';
import { systemdUnitName } from '../supervisor/render-systemd-unit.js';
import { FAULT_BACKENDS, servicePids, useFaultContext, withEnv } from './fault-harness.js';

// Every service started in this file gets a gateway token from the "developer's shell".
const TOKEN = `fault-${randomBytes(12).toString('hex')}`;

/** Every TCP socket `pid` listens on, with its local address (from /proc/net/tcp{,6}). */
async function listeningAddresses(pid: number): Promise<string[]> {
  const tables = await Promise.all(
    ['tcp', 'tcp6'].map((n) => readFile(`/proc/net/${n}`, 'utf8').catch(() => '')),
  );
  const sockets = tables.flatMap(parseProcNetTcp).filter((s) => s.state === TCP_LISTEN);
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const inodes = new Set(
    (await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))))
      .map((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1])
      .filter((inode): inode is string => inode !== undefined),
  );
  return sockets.filter((s) => inodes.has(s.inode)).map((s) => `${s.address}:${s.port}`);
}

/** Raw HTTP request (lets a test set Host and Upgrade headers fetch refuses). */
function rawRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

const upgradeHeaders = (extra: Record<string, string> = {}) => ({
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': randomBytes(16).toString('base64'),
  ...extra,
});

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every file below `dir` (recursively), symlinks not followed. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

describe.each(FAULT_BACKENDS)('security on the %s backend', (backend) => {
  const ctx = useFaultContext(backend);
  let previousToken: string | undefined;
  beforeAll(() => {
    previousToken = process.env.NEXU_GATEWAY_TOKEN;
    process.env.NEXU_GATEWAY_TOKEN = TOKEN;
  });
  afterAll(() => {
    if (previousToken === undefined) delete process.env.NEXU_GATEWAY_TOKEN;
    else process.env.NEXU_GATEWAY_TOKEN = previousToken;
  });

  const portOf = (report: StartReport, name: string) => report.services.find((s) => s.name === name)!.port;

  async function allServicePids(checkout: Checkout): Promise<number[]> {
    return Object.values(await servicePids(checkout.id)).flat();
  }

  it('every service listens on 127.0.0.1 only (no wildcard or IPv6 listener)', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);
    for (const service of report.services) {
      const owner = await findPortOwner(service.port);
      expect(owner.status).toBe('listening');
      if (owner.status === 'listening') {
        expect(owner.listeners.map((l) => [l.address, l.pid])).toEqual([['127.0.0.1', service.pid]]);
      }
    }
    const pids = await allServicePids(checkout);
    expect(pids).toHaveLength(3);
    for (const pid of pids) {
      const addresses = await listeningAddresses(pid);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    }
  });

  it('ledger, units and token-bearing files are 0600, replaced atomically, and leave no temp files', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);
    const controller = `http://127.0.0.1:${portOf(report, 'controller')}`;
    expect((await fetch(`${controller}/api/config`, { method: 'PUT', body: '{"a":1}' })).status).toBe(200);
    const put = await waitFor(
      async () =>
        (await fetch(`${controller}/api/sessions/s`, { method: 'PUT', body: '{"b":2}' })).status === 200,
      { timeoutMs: 15_000 },
    );
    expect(put.ok).toBe(true);

    // Where each backend keeps a service's unit (the token is in it).
    const unitFilesOf: Record<typeof backend, (label: string) => string[]> = {
      systemd: (label) => [
        join(resolvePlatform().systemdUserDir!, systemdUnitName(label)),
        join(checkout.unitsDir, systemdUnitName(label)),
      ],
      launchd: (label) => [join(checkout.unitsDir, `${label}.plist`)],
      process: (label) => [
        join(checkout.unitsDir, `${label}.unit.json`),
        join(checkout.unitsDir, `${label}.json`),
      ],
    };
    const unitFiles = report.services.flatMap((s) => unitFilesOf[backend](s.label));
    const secretFiles = [
      checkout.ledgerPath,
      ...unitFiles,
      join(checkout.nexuHome, 'controller', 'config.json'),
      join(checkout.nexuHome, 'gateway', 'state.json'),
    ];
    for (const path of secretFiles) expect([path, modeOf(path).toString(8)]).toEqual([path, '600']);
    // The token is in the units (that is how services get it), so they must be owner-only.
    for (const path of unitFiles.filter((p) => !p.endsWith(`.dev.json`))) {
      expect(readFileSync(path, 'utf8')).toContain(TOKEN);
    }

    // Atomic replacement: a new file (inode) is renamed into place, never rewritten in place.
    const ledgerInode = statSync(checkout.ledgerPath).ino;
    const unitInode = statSync(unitFiles[0]!).ino;
    await ctx.start(checkout, { services: withEnv('gateway', { NEXU_FAULT_DRIFT: '1' }) });
    expect(statSync(checkout.ledgerPath).ino).not.toBe(ledgerInode);
    expect(statSync(unitFiles[0]!).ino).not.toBe(unitInode);
    expect(modeOf(unitFiles[0]!).toString(8)).toBe('600');

    const leftovers = [
      ...filesUnder(checkout.stateDir),
      ...(backend === 'systemd' ? unitFiles.filter((p) => !p.startsWith(checkout.root)) : []),
    ].filter((path) => /\.tmp$|\.new$/.test(path));
    expect(leftovers).toEqual([]);
  });

  it('the web server refuses cross-origin and foreign-Host API calls and live-reload streams and never reflects CORS', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);
    const port = portOf(report, 'web');
    const own = { host: `127.0.0.1:${port}` };

    const same = await rawRequest(port, '/api/runtime', { ...own, origin: `http://127.0.0.1:${port}` });
    expect(same.status).toBe(200);
    const cross = await rawRequest(port, '/api/runtime', { ...own, origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    const rebinding = await rawRequest(port, '/api/runtime', { host: `evil.example:${port}` });
    expect(rebinding.status).toBe(403);
    const preflight = await rawRequest(
      port,
      '/api/config',
      { ...own, origin: 'http://evil.example', 'access-control-request-method': 'PUT' },
      'OPTIONS',
    );
    expect(preflight.status).toBe(403);
    const write = await fetch(`http://127.0.0.1:${port}/api/config`, {
      method: 'PUT',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{"pwned":true}',
    });
    expect(write.status).toBe(403);
    // The live-reload stream carries the watch session's status in development: same rules.
    const crossStream = await rawRequest(port, '/__nexu/live-reload', {
      ...own,
      origin: 'http://evil.example',
    });
    expect(crossStream.status).toBe(403);
    const rebindingStream = await rawRequest(port, '/__nexu/live-reload', { host: `evil.example:${port}` });
    expect(rebindingStream.status).toBe(403);
    for (const answer of [same, cross, rebinding, preflight, crossStream, rebindingStream]) {
      expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
    const config = await fetch(`http://127.0.0.1:${portOf(report, 'controller')}/api/config`);
    expect(await config.json()).toEqual({});
  });

  it('the gateway rejects a missing or wrong token and accepts the configured one', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    const report = await ctx.start(checkout);
    const port = portOf(report, 'gateway');
    expect((await rawRequest(port, '/ws', upgradeHeaders())).status).toBe(401);
    expect((await rawRequest(port, '/ws', upgradeHeaders({ authorization: 'Bearer wrong' }))).status).toBe(
      401,
    );
    expect(
      (await rawRequest(port, '/ws', upgradeHeaders({ authorization: `Bearer ${TOKEN}x` }))).status,
    ).toBe(401);
    expect((await rawRequest(port, '/ws', upgradeHeaders({ authorization: `Bearer ${TOKEN}` }))).status).toBe(
      101,
    );
    // The controller got the same token through its environment and is connected.
    const linked = await waitFor(
      async () => {
        const runtime = (await (
          await fetch(`http://127.0.0.1:${portOf(report, 'controller')}/api/runtime`)
        ).json()) as { gateway: { state: string } };
        return runtime.gateway.state === 'active';
      },
      { timeoutMs: 15_000 },
    );
    expect(linked.ok).toBe(true);
  });

  it('no process argv carries the secret; neither do the ledger and the logs', async (t) => {
    if (!ctx.available()) t.skip();
    const checkout = ctx.open();
    await ctx.start(checkout);
    const pids = await allServicePids(checkout);
    expect(pids).toHaveLength(3);
    // Every process of the machine: services, keepers, supervisors, helpers.
    const everyPid = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
    const carrying: string[] = [];
    for (const pid of everyPid) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(TOKEN)) carrying.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
    }
    expect(carrying).toEqual([]);
    // It is in each service's environment (that is where it belongs).
    for (const pid of pids)
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toContain(`NEXU_GATEWAY_TOKEN=${TOKEN}`);
    expect(readFileSync(checkout.ledgerPath, 'utf8')).not.toContain(TOKEN);
    for (const log of filesUnder(checkout.logsDir)) expect(readFileSync(log, 'utf8')).not.toContain(TOKEN);
  });
});
