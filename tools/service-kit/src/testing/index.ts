export { freePort } from './free-port.js';
export { isPidAlive } from './pid-alive.js';
export { type ExitInfo, ServiceProcess, startService } from './service-process.js';
export { TempDirs } from './temp-dir.js';
export { waitUntil } from './wait-until.js';
