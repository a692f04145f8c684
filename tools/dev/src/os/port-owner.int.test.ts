import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { afterEach, describe, expect, it } from 'vitest';
import { killAndWait, spawnListener } from '../test-support/spawn-listener.js';
import { findPortOwner } from './port-owner.js';

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');

// busy-unknown is played with a fake proc tree: as root in this sandbox every process's fds are
// readable, so a real "owner we cannot see" (another user under hidepid, another pid namespace)
// cannot be produced portably. The fake tree either lists a LISTEN socket no pid owns, or lists no
// socket at all while a real listener holds the port (so only the bind probe can tell).
async function fakeProc(tcp: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'nexu-dev-proc-'));
  await mkdir(join(root, 'net'));
  await writeFile(join(root, 'net', 'tcp'), HEADER + tcp);
  await writeFile(join(root, 'net', 'tcp6'), HEADER);
  await mkdir(join(root, '4242', 'fd'), { recursive: true });
  return root;
}

describe('findPortOwner', () => {
  const pids: number[] = [];
  const dirs: string[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const pid of pids.splice(0)) expect(await killAndWait(pid)).toBe(true);
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('reports a port nobody listens on as free', async () => {
    const port = await getPort();
    expect(await findPortOwner(port)).toEqual({ status: 'free', port });
  });

  it('reports the listening pid, its command and its loopback address', async () => {
    const port = await getPort();
    const listener = await spawnListener({ port, instance: 'abcd1234' });
    pids.push(listener.pid);
    const owner = await findPortOwner(port);
    expect(owner).toMatchObject({ status: 'listening', port, pid: listener.pid });
    expect(owner.status === 'listening' && owner.command).toContain(process.execPath);
    expect(owner.status === 'listening' && owner.listeners).toEqual([
      { address: '127.0.0.1', pid: listener.pid, command: expect.any(String) },
    ]);
  });

  it('finds the owner whether or not the candidates it is given include it', async () => {
    const port = await getPort();
    const listener = await spawnListener({ port });
    const other = await spawnListener({ port: await getPort() });
    pids.push(listener.pid, other.pid);
    for (const candidates of [[listener.pid], [other.pid], [other.pid, listener.pid], []]) {
      expect(await findPortOwner(port, { candidates })).toMatchObject({
        status: 'listening',
        pid: listener.pid,
      });
    }
  });

  it('reports a wildcard listener with its wildcard address', async () => {
    const port = await getPort();
    const listener = await spawnListener({ port, host: '0.0.0.0' });
    pids.push(listener.pid);
    const owner = await findPortOwner(port);
    expect(owner.status === 'listening' && owner.listeners.map((l) => l.address)).toEqual(['0.0.0.0']);
  });

  it('names the listener, never a client connected to the port', async () => {
    const port = await getPort();
    const listener = await spawnListener({ port });
    pids.push(listener.pid);
    const client = connect(port, '127.0.0.1');
    sockets.push(client);
    await new Promise((resolve) => client.once('connect', resolve));
    const owner = await findPortOwner(port);
    expect(owner).toMatchObject({ status: 'listening', pid: listener.pid });
    expect(owner.status === 'listening' && owner.listeners).toHaveLength(1);
  });

  it('reports busy-unknown for a listening socket whose owner cannot be seen', async () => {
    const port = await getPort();
    const procRoot = await fakeProc(
      `   0: 0100007F:${hexPort(port)} 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001 0 987654 1\n`,
    );
    dirs.push(procRoot);
    const owner = await findPortOwner(port, { procRoot });
    expect(owner).toMatchObject({ status: 'busy-unknown', port, listeners: [{ address: '127.0.0.1' }] });
    expect(owner.status === 'busy-unknown' && owner.reason).toMatch(/cannot see/);
  });

  it('reports busy-unknown, not free, when no listener is visible but the port cannot be bound', async () => {
    const port = await getPort();
    const listener = await spawnListener({ port });
    pids.push(listener.pid);
    const procRoot = await fakeProc('');
    dirs.push(procRoot);
    expect(await findPortOwner(port, { procRoot })).toMatchObject({
      status: 'busy-unknown',
      port,
      listeners: [],
    });
  });

  it('reports free when no listener is visible and the bind probe succeeds', async () => {
    const port = await getPort();
    const procRoot = await fakeProc('');
    dirs.push(procRoot);
    expect(await findPortOwner(port, { procRoot })).toEqual({ status: 'free', port });
  });
});
