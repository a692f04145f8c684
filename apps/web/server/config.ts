import { isAbsolute } from 'node:path';
import {
  type ConfigResult,
  type RawEnv,
  resolvePeerUrl,
  resolveServiceConfig,
  type ServiceConfig,
} from '@nexu/service-kit';
import { DEV_STATUS_FILE_ENV } from '@nexu/service-kit/dev-status';

/** Web server settings, from env only. */
export interface WebConfig extends ServiceConfig {
  /** Where `/api/*` goes (`NEXU_CONTROLLER_URL`, e.g. http://127.0.0.1:18790). */
  readonly controllerUrl: URL;
  /**
   * The watch session's status file (`NEXU_DEV_STATUS_FILE`, set only by the dev orchestrator's
   * unit): open pages are shown build errors, reloads and crashes. Null: none of that exists.
   */
  readonly devStatusFile: string | null;
}

/** Reads `NEXU_HOME`, `PORT`, `NEXU_DEV_INSTANCE`, `NEXU_CONTROLLER_URL` and `NEXU_DEV_STATUS_FILE`. */
export function resolveWebConfig(env: RawEnv): ConfigResult<WebConfig> {
  const base = resolveServiceConfig('web', env);
  if (!base.ok) return base;
  const controller = resolvePeerUrl(env, 'NEXU_CONTROLLER_URL', ['http:'], 'http://127.0.0.1:18790');
  if (!controller.ok) return controller;
  const devStatusFile = env[DEV_STATUS_FILE_ENV] || null;
  if (devStatusFile !== null && !isAbsolute(devStatusFile)) {
    return { ok: false, reason: `${DEV_STATUS_FILE_ENV} must be an absolute path, got "${devStatusFile}"` };
  }
  return { ok: true, config: { ...base.config, controllerUrl: controller.config, devStatusFile } };
}
