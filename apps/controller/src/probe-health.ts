import { get as httpGet, type IncomingMessage } from 'node:http';

/** The gateway's HTTP health URL for its WebSocket URL (ws://host:port/ws -> http://host:port/health). */
export function healthUrlFor(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/health';
  url.search = '';
  return url.href;
}

/** Whether `url` answers 200 within `timeoutMs`; never throws. */
export async function probeHealth(url: string, timeoutMs = 1000): Promise<boolean> {
  const get = url.startsWith('https:') ? (await import('node:https')).get : httpGet;
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
