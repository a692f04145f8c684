import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Checkout, SERVICES, type ServiceName, type ServicePorts, type ServiceSpec } from '@nexu/dev';
import { createTempCheckout } from '@nexu/dev/test-support';
import type { CleanupRegistry } from './cleanup-registry.js';

/** A throwaway copy of the repo's built services for one tool: its own NEXU_HOME and instance id. */
export interface BenchCheckout {
  readonly checkout: Checkout;
  /** Folder for the tool's own files (ecosystem file, PM2_HOME, logs). */
  readonly scratch: string;
  /** NEXU_HOME handed to services run by a peer (ours uses the checkout's own). */
  readonly nexuHome: string;
  /** `NEXU_DEV_INSTANCE` a peer's services carry (so /health answers are attributable). */
  readonly instance: string;
}

/**
 * Copies the built services into a temp dir (never the user's checkout: the hot-reload scenario
 * edits sources there) and registers its removal last, after the services are stopped.
 */
export function createBenchCheckout(label: string, cleanup: CleanupRegistry): BenchCheckout {
  const temp = createTempCheckout({ name: label.replace(/[^a-z0-9-]+/gi, '-') });
  cleanup.add(`remove ${temp.checkout.root}`, async () => temp.remove());
  const scratch = join(temp.checkout.root, '.tmp', 'bench');
  const nexuHome = join(scratch, 'nexu-home');
  mkdirSync(nexuHome, { recursive: true });
  return { checkout: temp.checkout, scratch, nexuHome, instance: `bench-${temp.checkout.id}` };
}

/** Command line that runs a service's build with plain `node` (what every dist-based peer runs). */
export function serviceDistArgv(spec: ServiceSpec, bench: BenchCheckout): string[] {
  return [process.execPath, join(bench.checkout.root, spec.dir, spec.entry)];
}

/** TypeScript entry a TS-running peer (tsx watch) starts: the web service's server, else src/main.ts. */
export function serviceSourceEntry(spec: ServiceSpec): string {
  return spec.name === 'web' ? 'server/main.ts' : 'src/main.ts';
}

/** The environment every peer gives a service: the same variables our supervisor sets. */
export function serviceEnv(
  spec: ServiceSpec,
  ports: ServicePorts,
  bench: BenchCheckout,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    NEXU_HOME: bench.nexuHome,
    PORT: String(ports[spec.name]),
    NEXU_DEV_INSTANCE: bench.instance,
    NODE_ENV: 'development',
    ...spec.env(ports),
  };
}

/** The services, in dependency order, with their folders resolved in `bench`. */
export function benchServices(bench: BenchCheckout): Array<{ spec: ServiceSpec; dir: string }> {
  return SERVICES.map((spec) => ({ spec, dir: join(bench.checkout.root, spec.dir) }));
}

export type { ServiceName };
