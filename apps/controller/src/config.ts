import {
  type ConfigResult,
  type RawEnv,
  resolvePeerUrl,
  resolveServiceConfig,
  type ServiceConfig,
} from '@nexu/service-kit';

/** Controller settings, from env only. */
export interface ControllerConfig extends ServiceConfig {
  /** WebSocket URL of the gateway (`NEXU_GATEWAY_URL`, e.g. ws://127.0.0.1:18789/ws). */
  readonly gatewayUrl: string;
  /** Bearer token for the gateway (`NEXU_GATEWAY_TOKEN`); `null` when unset. */
  readonly gatewayToken: string | null;
}

/** Reads `NEXU_HOME`, `PORT`, `NEXU_DEV_INSTANCE`, `NEXU_GATEWAY_URL` and optional `NEXU_GATEWAY_TOKEN`. */
export function resolveControllerConfig(env: RawEnv): ConfigResult<ControllerConfig> {
  const base = resolveServiceConfig('controller', env);
  if (!base.ok) return base;
  const gateway = resolvePeerUrl(env, 'NEXU_GATEWAY_URL', ['ws:', 'wss:'], 'ws://127.0.0.1:18789/ws');
  if (!gateway.ok) return gateway;
  return {
    ok: true,
    config: { ...base.config, gatewayUrl: gateway.config.href, gatewayToken: env.NEXU_GATEWAY_TOKEN || null },
  };
}
