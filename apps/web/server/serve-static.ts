import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

// Browsers ask for /favicon.ico on every page load; without an icon of its own the dashboard
// answers "no content" (cacheable) instead of a 404 that every load would log in the console.
function sendNoIcon(res: ServerResponse): void {
  res.writeHead(204, { 'cache-control': 'max-age=86400' });
  res.end();
}

/**
 * Serves a file from `root` for GET/HEAD. Paths without an extension that match no file get
 * index.html (SPA fallback); missing files with an extension get 404, except `/favicon.ico` (204).
 */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return sendText(res, 400, 'malformed URL');
  }
  const target = resolve(root, `.${pathname}`);
  if (pathname.includes('\0') || (target !== root && !target.startsWith(root + sep))) {
    return sendText(res, 404, 'not found');
  }
  let file: string | undefined;
  if (await isFile(target)) file = target;
  else if (await isFile(join(target, 'index.html'))) file = join(target, 'index.html');
  else if (extname(pathname) === '') file = join(root, 'index.html');
  if (!file && pathname === '/favicon.ico') return sendNoIcon(res);
  if (!file) return sendText(res, 404, 'not found');
  if (!(await isFile(file))) return sendText(res, 503, 'the dashboard is not built yet: run `pnpm build`');
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
