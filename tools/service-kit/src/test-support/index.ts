export { freePort } from './free-port.js';
export { type ExitInfo, ServiceProcess, startService } from './service-process.js';
export { stopServices } from './stop-services.js';
export { TempDirs } from './temp-dir.js';
export { type BadEnvCase, type StartupExitOptions, testStartupExits } from './test-startup-exits.js';
export { waitUntil } from './wait-until.js';
