import { isAbsolute } from 'node:path';

/** Environment a service reads its configuration from (only strings, like `process.env`). */
export type RawEnv = Readonly<Record<string, string | undefined>>;

/** Settings every service shares, resolved from `NEXU_HOME`, `PORT` and `NEXU_DEV_INSTANCE`. */
export interface ServiceConfig {
  readonly service: string;
  /** Absolute directory holding the service's state. */
  readonly nexuHome: string;
  /** TCP port on 127.0.0.1; 0 (ephemeral) only when created in-process by tests. */
  readonly port: number;
  /** Dev checkout id the toolkit started us for; `null` when unset. */
  readonly instance: string | null;
}

/** Expected outcome of reading env: a config or a one-line reason (printed as `<service>: <reason>`). */
export type ConfigResult<T> =
  | { readonly ok: true; readonly config: T }
  | { readonly ok: false; readonly reason: string };

/** Exit code for bad configuration (sysexits EX_CONFIG): supervisors must not restart on it. */
export const EX_CONFIG = 78;

/** Resolves the env shared by every service; never throws. */
export function resolveServiceConfig(service: string, env: RawEnv): ConfigResult<ServiceConfig> {
  const home = env.NEXU_HOME;
  if (!home) return fail('NEXU_HOME is not set (set it to an absolute directory for state)');
  if (!isAbsolute(home)) return fail(`NEXU_HOME must be an absolute path, got "${home}"`);
  const rawPort = env.PORT;
  if (rawPort === undefined || rawPort === '') return fail('PORT is not set (set it to an integer 1-65535)');
  const port = /^\d+$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return fail(`PORT must be an integer 1-65535, got "${rawPort}"`);
  }
  const instance = env.NEXU_DEV_INSTANCE ? env.NEXU_DEV_INSTANCE : null;
  return { ok: true, config: { service, nexuHome: home, port, instance } };
}

/** Resolves a required peer URL from env (e.g. `NEXU_GATEWAY_URL`), checking its protocol. */
export function resolvePeerUrl(
  env: RawEnv,
  name: string,
  protocols: readonly string[],
  example: string,
): ConfigResult<URL> {
  const raw = env[name];
  if (!raw) return fail(`${name} is not set (e.g. ${example})`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`${name} is not a valid URL, got "${raw}" (e.g. ${example})`);
  }
  if (!protocols.includes(url.protocol)) {
    return fail(`${name} must use ${protocols.join(' or ')}, got "${raw}" (e.g. ${example})`);
  }
  return { ok: true, config: url };
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
