import { fileURLToPath } from 'node:url';
import { runService } from '@nexu/service-kit';
import { resolveWebConfig } from './config.js';
import { createServer } from './create-server.js';

// Bundled to dist/main.js; the page is built next to it in dist/client.
const clientDir = fileURLToPath(new URL('./client', import.meta.url));

void runService({
  service: 'web',
  resolveConfig: resolveWebConfig,
  create: (config) => createServer(config, { clientDir }),
});
