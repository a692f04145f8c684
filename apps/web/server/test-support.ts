import { request } from 'node:http';
import { resolve } from 'node:path';
import { freePort, type ServiceProcess, startService, type TempDirs } from '@nexu/service-kit/test-support';

/** Built bundles the web tests run against (`pnpm build` first). */
export const ENTRIES = {
  gateway: resolve(import.meta.dirname, '../../gateway/dist/main.js'),
  controller: resolve(import.meta.dirname, '../../controller/dist/main.js'),
  web: resolve(import.meta.dirname, '../dist/main.js'),
  clientDir: resolve(import.meta.dirname, '../dist/client'),
} as const;

/** Starts a real gateway and a controller linked to it; both are pushed on `children` for cleanup. */
export async function startBackend(temp: TempDirs, children: ServiceProcess[]) {
  const nexuHome = await temp.make();
  const gatewayPort = await freePort();
  const gateway = await startService(ENTRIES.gateway, { NEXU_HOME: nexuHome, PORT: String(gatewayPort) });
  children.push(gateway);
  const controller = await startService(ENTRIES.controller, {
    NEXU_HOME: nexuHome,
    PORT: String(await freePort()),
    NEXU_GATEWAY_URL: `ws://127.0.0.1:${gatewayPort}/ws`,
  });
  children.push(controller);
  return { nexuHome, gateway, controller };
}

/** An open Server-Sent Events stream, collecting event names as they arrive. */
export interface EventStream {
  readonly events: string[];
  readonly text: () => string;
  close(): void;
}

/** Opens `url` as an event stream; resolves once the response headers arrived. */
export function openEventStream(url: string): Promise<EventStream> {
  return new Promise((resolvePromise, reject) => {
    let text = '';
    const events: string[] = [];
    const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const match of chunk.matchAll(/^event: (.+)$/gm)) if (match[1]) events.push(match[1]);
      });
      res.on('error', () => {});
      resolvePromise({ events, text: () => text, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
