import { request } from 'node:http';

export type ProbeResult =
  | { readonly ok: true; readonly status: number; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/**
 * One GET of `http://127.0.0.1:<port><path>` parsed as JSON, with its own timeout. No keep-alive:
 * a pooled socket could keep talking to a process that is being replaced.
 */
export function probeJson(port: number, path: string, timeoutMs = 1000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        try {
          resolve({
            ok: true,
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
          });
        } catch {
          resolve({ ok: false, reason: `status ${res.statusCode}, not JSON` });
        }
      });
      res.on('error', (error) => resolve({ ok: false, reason: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ ok: false, reason: error.message }));
    req.end();
  });
}
