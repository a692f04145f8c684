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

/** An open Server-Sent Events stream, collecting events as they arrive. */
export interface EventStream {
  /** Event names, in arrival order. */
  readonly events: string[];
  /** The parsed JSON data of each event, in arrival order. */
  readonly messages: Array<{ readonly event: string; readonly data: unknown }>;
  readonly text: () => string;
  close(): void;
}

/** Opens `url` as an event stream; resolves once the response headers arrived. */
export function openEventStream(url: string): Promise<EventStream> {
  return new Promise((resolvePromise, reject) => {
    let text = '';
    let pending = '';
    const events: string[] = [];
    const messages: EventStream['messages'] = [];
    const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        pending += chunk;
        const frames = pending.split('\n\n');
        pending = frames.pop() ?? '';
        for (const frame of frames) {
          const event = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (!event) continue;
          events.push(event);
          messages.push({ event, data: data === undefined ? undefined : JSON.parse(data) });
        }
      });
      res.on('error', () => {});
      resolvePromise({ events, messages, text: () => text, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
