// Test helper of the controller's server tests (create-server.test.ts, create-server.int.test.ts):
// an in-process controller and, for the integration tests, the real gateway as a process.
import { resolve } from 'node:path';
import { freePort, type ServiceProcess, startService, TempDirs } from '@nexu/service-kit/test-support';
import { afterEach } from 'vitest';
import { type ControllerServer, createServer } from './create-server.js';

// The real gateway, built by `pnpm build`.
const GATEWAY_ENTRY = resolve(import.meta.dirname, '../../gateway/dist/main.js');

/**
 * Registers the clean-up of what it starts after each test (call it at the top of a test file) and
 * returns how to start a controller (without `gatewayUrl` it points at a port nobody listens on)
 * and the built gateway.
 */
export function useControllerHarness(): {
  start(gatewayUrl?: string): Promise<{ url: string; nexuHome: string }>;
  startGateway(): Promise<string>;
} {
  const temp = new TempDirs();
  let controller: ControllerServer | undefined;
  let gateway: ServiceProcess | undefined;
  afterEach(async () => {
    await controller?.close();
    await gateway?.stop();
    controller = undefined;
    gateway = undefined;
    await temp.removeAll();
  });
  return {
    async start(gatewayUrl) {
      const nexuHome = await temp.make();
      controller = createServer(
        {
          service: 'controller',
          nexuHome,
          port: 0,
          instance: 'inst',
          gatewayUrl: gatewayUrl ?? `ws://127.0.0.1:${await freePort()}/ws`,
          gatewayToken: null,
        },
        { log: () => {} },
      );
      const result = await controller.listen(0);
      if (!result.ok) throw new Error(result.message);
      return { url: result.url, nexuHome };
    },
    async startGateway() {
      gateway = await startService(GATEWAY_ENTRY, {
        NEXU_HOME: await temp.make(),
        PORT: String(await freePort()),
      });
      return `${gateway.url.replace('http', 'ws')}/ws`;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
export type Body = any;

/** A request's status and JSON body. */
export const json = async (url: string, init?: RequestInit): Promise<{ status: number; body: Body }> => {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
};

/** A PUT of a JSON body. */
export const put = (body: string): RequestInit => ({
  method: 'PUT',
  body,
  headers: { 'content-type': 'application/json' },
});
