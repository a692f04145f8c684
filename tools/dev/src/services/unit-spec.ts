import { dirname, join } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';
import { devStatusPath } from '../checkout/dev-status-path.js';
import { stableNodePath } from '../os/stable-node-path.js';
import type { UnitSpec } from '../supervisor/supervisor.js';
import { hashUnit } from '../supervisor/unit-hash.js';
import { readServiceEnvFiles } from './env-files.js';
import { type ServicePorts, type ServiceSpec, serviceEntry, serviceLabel } from './manifest.js';
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

/** The pass-through variables set (non-empty) in `env`. */
export function passThroughEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of PASS_THROUGH_ENV) {
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

/** PATH handed to services: node's own folder first (launchd's default PATH has no node). */
function servicePath(nodePath: string): string {
  return [dirname(nodePath), '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'].join(':');
}

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
      // The .env files first: every variable rendered below wins (and `pnpm start` reports it).
      ...(options.envFiles ?? readServiceEnvFiles(spec, checkout).values),
      PATH: servicePath(nodePath),
      NEXU_HOME: checkout.nexuHome,
      PORT: String(ports[spec.name]),
      NEXU_DEV_INSTANCE: checkout.id,
      // Where the checkout lives, so the machine-wide listing can tell a deleted or moved one.
      NEXU_DEV_ROOT: checkout.root,
      NODE_ENV: 'development',
      ...spec.env(ports),
      ...(spec.showsDevStatus ? { [DEV_STATUS_FILE_ENV]: devStatusPath(checkout) } : {}),
      ...(options.extraEnv ?? passThroughEnv(process.env)),
    },
    logPath: serviceLogPath(checkout, spec.name),
    port: ports[spec.name],
  };
}

/** Content hash of a unit spec, recorded in the ledger to tell drift at a glance. */
export function hashUnitSpec(unit: UnitSpec): string {
  return hashUnit(JSON.stringify(unit));
}
