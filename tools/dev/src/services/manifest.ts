import { join } from 'node:path';
import type { Checkout } from '../checkout/checkout.js';

export type ServiceName = 'gateway' | 'controller' | 'web';

/** Ports chosen for every service of one checkout (peers need each other's). */
export type ServicePorts = Readonly<Record<ServiceName, number>>;

/** One build output of a service and the sources it is built from (see `checkBuildFreshness`). */
export interface BuildOutput {
  /** A file, or a folder (its newest file counts), relative to the service's `dir`. */
  readonly path: string;
  /** Sources whose change means this output must be rebuilt, relative to the repo root. */
  readonly sources: readonly string[];
}

/** One service of the repo, as every dev command sees it. Adding a service means adding one entry. */
export interface ServiceSpec {
  readonly name: ServiceName;
  /** Package folder, relative to the repo root. */
  readonly dir: string;
  /** Workspace package name (for `pnpm --filter`). */
  readonly packageName: string;
  /** Build output the supervisor runs with `node`, relative to `dir`. */
  readonly entry: string;
  /** Port used when the ledger has none (shifted by a per-checkout offset before use). */
  readonly preferredPort: number;
  /** HTTP path answering 200 when the service is ready. */
  readonly healthPath: string;
  /** Sources whose change means a rebuild, relative to the repo root. */
  readonly watchPaths: readonly string[];
  /** What its build writes, each from its own sources (default: `entry`, from every watch path). */
  readonly outputs?: readonly BuildOutput[];
  /** Services that must be running (and healthy) before this one starts. */
  readonly dependsOn: readonly ServiceName[];
  /** Environment beyond the common NEXU_HOME / PORT / NEXU_DEV_INSTANCE / NEXU_DEV_ROOT. */
  env(ports: ServicePorts): Record<string, string>;
  /**
   * Whether the service is told where the watch session's status file is (`NEXU_DEV_STATUS_FILE`):
   * the dashboard's server shows it in open pages (build errors, reloads, crashes).
   */
  readonly showsDevStatus?: boolean;
}

const url = (port: number) => `http://127.0.0.1:${port}`;

/** The services of this repo in dependency order. */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'gateway',
    dir: 'apps/gateway',
    packageName: '@nexu/gateway',
    entry: 'dist/main.js',
    preferredPort: 18789,
    healthPath: '/health',
    watchPaths: ['apps/gateway/src', 'apps/gateway/package.json', 'apps/gateway/tsconfig.json'],
    dependsOn: [],
    env: () => ({}),
  },
  {
    name: 'controller',
    dir: 'apps/controller',
    packageName: '@nexu/controller',
    entry: 'dist/main.js',
    preferredPort: 18790,
    healthPath: '/health',
    watchPaths: ['apps/controller/src', 'apps/controller/package.json', 'apps/controller/tsconfig.json'],
    dependsOn: ['gateway'],
    env: (ports) => ({ NEXU_GATEWAY_URL: `ws://127.0.0.1:${ports.gateway}/ws` }),
  },
  {
    name: 'web',
    dir: 'apps/web',
    packageName: '@nexu/web',
    entry: 'dist/main.js',
    preferredPort: 18791,
    healthPath: '/health',
    watchPaths: ['apps/web/src', 'apps/web/server', 'apps/web/index.html', 'apps/web/package.json'],
    // The server bundle and the page are built apart (esbuild and Vite), and a watch session
    // rebuilds only the one whose sources changed.
    outputs: [
      { path: 'dist/main.js', sources: ['apps/web/server', 'apps/web/package.json'] },
      { path: 'dist/client', sources: ['apps/web/src', 'apps/web/index.html', 'apps/web/package.json'] },
    ],
    dependsOn: ['controller'],
    env: (ports) => ({ NEXU_CONTROLLER_URL: url(ports.controller) }),
    showsDevStatus: true,
  },
];

export const SERVICE_NAMES: readonly ServiceName[] = SERVICES.map((s) => s.name);

/** Where `name` stands in the manifest's order (dependencies first); names it does not know come last. */
export function serviceRank(name: string): number {
  const at = (SERVICE_NAMES as readonly string[]).indexOf(name);
  return at === -1 ? SERVICE_NAMES.length : at;
}

/** `ports` with one service moved to `port`. */
export function withPort(ports: ServicePorts, service: ServiceName, port: number): ServicePorts {
  return { ...ports, [service]: port } as ServicePorts;
}

/** Looks up a service by name; `undefined` for names not in the manifest. */
export function findService(name: string): ServiceSpec | undefined {
  return SERVICES.find((s) => s.name === name);
}

/** Base URL of a service listening on `port`. */
export function serviceUrl(port: number): string {
  return url(port);
}

/** The build outputs of a service, each with its sources. */
export function buildOutputs(spec: ServiceSpec): readonly BuildOutput[] {
  return spec.outputs ?? [{ path: spec.entry, sources: spec.watchPaths }];
}

/** Absolute path of a service's built entry point. */
export function serviceEntry(spec: ServiceSpec, checkout: Checkout): string {
  return join(checkout.root, spec.dir, spec.entry);
}
