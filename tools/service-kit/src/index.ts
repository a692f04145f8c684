export {
  type ConfigResult,
  EX_CONFIG,
  type RawEnv,
  resolvePeerUrl,
  resolveServiceConfig,
  type ServiceConfig,
} from './config.js';
export { createIdentity, healthPayload, type Readiness, type ServiceIdentity } from './health.js';
export { type JsonBodyResult, readJsonBody, sendJson } from './http-json.js';
export { JsonStateFile, type JsonStateFileOptions } from './json-state-file.js';
export { closeHttpServer, HOST, type ListenResult, listen } from './listen.js';
export { isProcessAliveSync, processStartTimeSync } from './proc-stat.js';
export { isJsonObject, type JsonFileResult, moveAside, readJsonFile } from './read-json-file.js';
export { type RunServiceOptions, runService, type ServiceApp } from './run-service.js';
export { LOG_STAMP, LOG_STAMP_LENGTH, splitLogStamp, stampOutput } from './stamp-output.js';
export { type WaitForOptions, type WaitResult, waitFor } from './wait-for.js';
export { writeFileAtomic, writeFileAtomicSync } from './write-file-atomic.js';
