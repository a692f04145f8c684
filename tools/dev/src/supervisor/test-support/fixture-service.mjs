#!/usr/bin/env node
// Tiny service for the supervisor contract tests: listens on 127.0.0.1:$PORT and answers /health
// with who it is. FIXTURE_MODE: crash-on-start (exit 1 at once), exit78 (configuration error),
// ignore-sigterm (only SIGKILL ends it); anything else: a well-behaved service.
import { createServer } from 'node:http';

const mode = process.env.FIXTURE_MODE ?? 'normal';
if (mode === 'crash-on-start') process.exit(1);
if (mode === 'exit78') {
  console.error('fixture: configuration error');
  process.exit(78);
}

const server = createServer((request, response) => {
  if (request.url !== '/health') {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      ok: true,
      pid: process.pid,
      instance: process.env.NEXU_DEV_INSTANCE ?? null,
      greeting: process.env.FIXTURE_GREETING ?? null,
      cwd: process.cwd(),
    }),
  );
});

if (mode === 'ignore-sigterm') {
  process.on('SIGTERM', () => console.log('fixture: ignoring SIGTERM'));
} else {
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log(`fixture: listening on 127.0.0.1:${process.env.PORT} (pid ${process.pid})`);
});
