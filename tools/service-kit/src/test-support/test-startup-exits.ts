import { createServer, type Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { ServiceProcess } from './service-process.js';
import { stopServices } from './stop-services.js';
import { TempDirs } from './temp-dir.js';

/** A bad environment: `[what is wrong, env, the one stderr line expected]`. */
export type BadEnvCase = readonly [string, Record<string, string>, string];

/** Options of `testStartupExits`. */
export interface StartupExitOptions {
  /** Service name that starts its stderr lines (`gateway`). */
  readonly service: string;
  /** The built bundle (`dist/main.js`). */
  readonly entry: string;
  /** Environments the service must refuse with exit 78. */
  readonly badEnv: readonly BadEnvCase[];
  /** Env besides NEXU_HOME and PORT that the service needs to get as far as binding its port. */
  readonly peerEnv?: Record<string, string>;
}

/**
 * Registers the tests every service shares (call it inside the service's `describe`): exit 78 with
 * one stderr line on a bad environment, and exit 78 naming the port when the port is taken.
 */
export function testStartupExits(options: StartupExitOptions): void {
  const { service, entry } = options;
  const temp = new TempDirs();
  const children: ServiceProcess[] = [];
  let blocker: Server | undefined;

  afterEach(async () => {
    await stopServices(children);
    await new Promise<void>((done) => (blocker ? blocker.close(() => done()) : done()));
    blocker = undefined;
    await temp.removeAll();
  });

  it.each(options.badEnv)('exits 78 with one line when %s', async (_, env, line) => {
    const child = new ServiceProcess(entry, env);
    children.push(child);
    expect(await child.waitForExit()).toEqual({ code: 78, signal: null });
    expect(child.stderr.trim().split('\n')).toHaveLength(1);
    expect(child.stderr).toContain(line);
  });

  it('exits 78 naming the port when the port is already in use', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((done) => blocker?.listen(port, '127.0.0.1', done));
    const child = new ServiceProcess(entry, {
      NEXU_HOME: await temp.make(),
      PORT: String(port),
      ...options.peerEnv,
    });
    children.push(child);
    expect(await child.waitForExit()).toEqual({ code: 78, signal: null });
    expect(child.stderr.trim()).toBe(`${service}: port ${port} is already in use (EADDRINUSE)`);
  });
}
