import { join } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';
import { devStatusPath } from '../checkout/dev-status-path.js';
import { serviceLabel } from '../checkout/service-identity.js';
import { nodeServicePath } from '../os/node-identity.js';
import { stableNodePath } from '../os/stable-node-path.js';
import type { UnitSpec } from '../supervisor/supervisor.js';
import { readServiceEnvFiles } from './env-files.js';
import { type ServicePorts, type ServiceSpec, serviceEntry } from './manifest.js';
import { serviceLogPath } from './service-log-path.js';

/** Options for `resolveUnitSpec`; defaults suit the running orchestrator. */
export interface UnitSpecOptions {
  /** Absolute node binary the supervisor runs (default: the running one, by a path that survives upgrades). */
  nodePath?: string;
  /** Extra environment for every service (default: `passThroughEnv(process.env)`). */
  extraEnv?: Record<string, string>;
  /**
   * What the service's `.env` files set (default: read them, see `readServiceEnvFiles`; a bad line
   * throws). Anything the unit renders itself wins over them.
   */
  envFiles?: Readonly<Record<string, string>>;
}

/** Variables of the developer's shell that every service receives (secrets go through env, never argv). */
export const PASS_THROUGH_ENV = ['NEXU_GATEWAY_TOKEN'] as const;

/** Names more variables to pass through, e.g. `NEXU_DEV_PASS_ENV=NODE_EXTRA_CA_CERTS,HTTPS_PROXY`. */
export const PASS_ENV_VARIABLE = 'NEXU_DEV_PASS_ENV';

/**
 * The names passed from the developer's shell to every service: `PASS_THROUGH_ENV` and those
 * listed in `NEXU_DEV_PASS_ENV` (commas or blanks between them). Nothing else of the shell, the
 * user manager or launchd's domain reaches a service.
 */
export function passThroughNames(env: NodeJS.ProcessEnv): string[] {
  const listed = (env[PASS_ENV_VARIABLE] ?? '').split(/[\s,]+/).filter(Boolean);
  const bad = listed.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
  if (bad !== undefined) {
    throw new Error(
      `${PASS_ENV_VARIABLE} lists ${JSON.stringify(bad)}, which is not a variable name: list names separated by commas, e.g. ${PASS_ENV_VARIABLE}=NODE_EXTRA_CA_CERTS,HTTPS_PROXY`,
    );
  }
  return [...new Set([...PASS_THROUGH_ENV, ...listed])];
}

/** The pass-through variables (see `passThroughNames`) set (non-empty) in `env`. */
export function passThroughEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of passThroughNames(env)) {
    const value = env[name];
    if (value) picked[name] = value;
  }
  return picked;
}

/**
 * Node flags of every service: stack traces name the TypeScript source (`src/config.ts:12:5`)
 * through the source map each build writes next to `dist/main.js`, in the terminal, in `pnpm logs`
 * and on the dashboard alike.
 */
export const SERVICE_NODE_FLAGS = ['--enable-source-maps'] as const;

/** Environment variable naming the watch session's status file (see `devStatusPath`). */
export const DEV_STATUS_FILE_ENV = 'NEXU_DEV_STATUS_FILE';

/** Turns a manifest entry plus this checkout's ports into the unit a backend installs. */
export function resolveUnitSpec(
  spec: ServiceSpec,
  checkout: Checkout,
  ports: ServicePorts,
  options: UnitSpecOptions = {},
): UnitSpec {
  const nodePath = options.nodePath ?? stableNodePath();
  return {
    service: spec.name,
    label: serviceLabel(spec.name, checkout.id),
    checkoutId: checkout.id,
    argv: [nodePath, ...SERVICE_NODE_FLAGS, serviceEntry(spec, checkout)],
    cwd: join(checkout.root, spec.dir),
    env: {
      // First the .env files, then what passes through from the shell: a name the unit sets itself
      // (PATH, PORT, NEXU_HOME, ...) keeps the unit's value (and `pnpm start` reports it).
      ...(options.envFiles ?? readServiceEnvFiles(spec, checkout).values),
      ...(options.extraEnv ?? passThroughEnv(process.env)),
      PATH: nodeServicePath(nodePath),
      NEXU_HOME: checkout.nexuHome,
      PORT: String(ports[spec.name]),
      NEXU_DEV_INSTANCE: checkout.id,
      // Where the checkout lives, so the machine-wide listing can tell a deleted or moved one.
      NEXU_DEV_ROOT: checkout.root,
      NODE_ENV: 'development',
      ...spec.env(ports),
      ...(spec.showsDevStatus ? { [DEV_STATUS_FILE_ENV]: devStatusPath(checkout) } : {}),
    },
    logPath: serviceLogPath(checkout, spec.name),
    port: ports[spec.name],
  };
}
