import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCleanupRegistry } from './cleanup-registry.js';

const listen = async (): Promise<Server> => {
  const server = createServer((socket) => socket.resume()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return server;
};
const portOf = (server: Server) => (server.address() as { port: number }).port;

describe('createCleanupRegistry', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('runs its closers, then reports a tracked port still listened on as left behind', async () => {
    const closed = await listen();
    const leftOpen = await listen();
    servers.push(leftOpen);
    // A port that stays open is waited for the whole grace: a short one keeps this test quick.
    const registry = createCleanupRegistry({ graceMs: 300 });
    registry.add('the closed one', () => new Promise((resolve) => closed.close(() => resolve())));
    registry.track({ ports: [portOf(closed), portOf(leftOpen)] });
    const report = await registry.cleanup();
    expect(report).toEqual({ errors: [], livePids: [], busyPorts: [portOf(leftOpen)] });
  });

  it("does not count a port that is only some connection's local (ephemeral) port", async () => {
    const server = await listen();
    servers.push(server);
    const client = connect({ port: portOf(server), host: '127.0.0.1' });
    sockets.push(client);
    await new Promise((resolve) => client.once('connect', resolve));
    // That port cannot be bound while the connection lasts, but nothing listens on it.
    const registry = createCleanupRegistry();
    registry.track({ ports: [client.localPort!] });
    expect((await registry.cleanup()).busyPorts).toEqual([]);
  });
});
