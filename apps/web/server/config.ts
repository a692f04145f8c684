import {
  type ConfigResult,
  type RawEnv,
  resolvePeerUrl,
  resolveServiceConfig,
  type ServiceConfig,
} from '@nexu/service-kit';

/** Web server settings, from env only. */
export interface WebConfig extends ServiceConfig {
  /** Where `/api/*` goes (`NEXU_CONTROLLER_URL`, e.g. http://127.0.0.1:18790). */
  readonly controllerUrl: URL;
}

/** Reads `NEXU_HOME`, `PORT`, `NEXU_DEV_INSTANCE` and `NEXU_CONTROLLER_URL`. */
export function resolveWebConfig(env: RawEnv): ConfigResult<WebConfig> {
  const base = resolveServiceConfig('web', env);
  if (!base.ok) return base;
  const controller = resolvePeerUrl(env, 'NEXU_CONTROLLER_URL', ['http:'], 'http://127.0.0.1:18790');
  if (!controller.ok) return controller;
  return { ok: true, config: { ...base.config, controllerUrl: controller.config } };
}
