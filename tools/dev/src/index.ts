// Public surface of @nexu/dev: wiring only.
export * from './checkout/checkout.js';
export * from './health/wait-for.js';
export * from './ports/port-free.js';
export * from './services/manifest.js';
export * from './supervisor/command-runner.js';
export * from './supervisor/supervisor.js';
