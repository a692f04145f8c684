import { type ConfigResult, type RawEnv, resolveServiceConfig, type ServiceConfig } from '@nexu/service-kit';

/** Gateway settings, from env only. */
export interface GatewayConfig extends ServiceConfig {
  /** Bearer token WebSocket clients must present (`NEXU_GATEWAY_TOKEN`); `null` accepts any local client. */
  readonly token: string | null;
}

/** Reads `NEXU_HOME`, `PORT`, `NEXU_DEV_INSTANCE` and optional `NEXU_GATEWAY_TOKEN`. */
export function resolveGatewayConfig(env: RawEnv): ConfigResult<GatewayConfig> {
  const base = resolveServiceConfig('gateway', env);
  if (!base.ok) return base;
  return { ok: true, config: { ...base.config, token: env.NEXU_GATEWAY_TOKEN || null } };
}
