import { runService } from '@nexu/service-kit';
import { resolveControllerConfig } from './config.js';
import { createServer } from './create-server.js';

void runService({
  service: 'controller',
  resolveConfig: resolveControllerConfig,
  create: (config) => createServer(config),
});
