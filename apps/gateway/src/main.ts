import { runService } from '@nexu/service-kit';
import { resolveGatewayConfig } from './config.js';
import { createServer } from './create-server.js';

void runService({
  service: 'gateway',
  resolveConfig: resolveGatewayConfig,
  create: (config) => createServer(config),
});
