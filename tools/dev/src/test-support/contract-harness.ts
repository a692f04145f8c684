import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import getPort from 'get-port';
import type { Checkout } from '../checkout/checkout.js';
import { runtimeProgramPath } from '../os/runtime-program.js';
import type { ServiceStatus, Supervisor, UnitSpec } from '../supervisor/supervisor.js';
import { createTempCheckout, type TempCheckout } from './temp-checkout.js';

export const FIXTURE_SERVICE = runtimeProgramPath('fixtures/fixture-service');

export type FixtureMode = 'normal' | 'crash-on-start' | 'exit78' | 'ignore-sigterm';

/**
 * A throwaway checkout without services whose path carries a space, `%` and non-ASCII, so every
 * backend's quoting is exercised for real; labels carry its own checkout id.
 */
export function createContractCheckout(): TempCheckout {
  const temp = createTempCheckout({ name: 'nexu dév 100%', services: false });
  mkdirSync(temp.checkout.logsDir, { recursive: true });
  return temp;
}

/** A unit running the fixture service on a fresh port. */
export async function fixtureUnit(
  checkout: Checkout,
  service: string,
  options: { mode?: FixtureMode; greeting?: string; port?: number } = {},
): Promise<UnitSpec> {
  const port = options.port ?? (await getPort({ host: '127.0.0.1' }));
  return {
    service,
    label: `io.nexu.${service}.${checkout.id}.dev`,
    checkoutId: checkout.id,
    argv: [process.execPath, FIXTURE_SERVICE],
    cwd: checkout.root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NEXU_HOME: checkout.nexuHome,
      NEXU_DEV_INSTANCE: checkout.id,
      NEXU_DEV_ROOT: checkout.root,
      PORT: String(port),
      FIXTURE_MODE: options.mode ?? 'normal',
      FIXTURE_GREETING: options.greeting ?? 'hello "world" 100% \\o/',
    },
    logPath: join(checkout.logsDir, `${service}.log`),
    port,
  };
}

export interface FixtureHealth {
  readonly pid: number;
  readonly instance: string;
  readonly greeting: string;
  readonly cwd: string;
}

/** What the fixture answers on /health, or null when it does not answer. */
export async function readHealth(port: number): Promise<FixtureHealth | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok ? ((await response.json()) as FixtureHealth) : null;
  } catch {
    return null;
  }
}

/** Polls status until `accept` holds; throws with the last status seen at the deadline. */
export async function waitForStatus(
  supervisor: Supervisor,
  unit: UnitSpec,
  accept: (status: ServiceStatus) => boolean,
  timeoutMs = 20_000,
): Promise<ServiceStatus> {
  let last: ServiceStatus | undefined;
  const result = await waitFor(
    async () => {
      last = await supervisor.status(unit);
      return accept(last) ? last : undefined;
    },
    { timeoutMs, maxIntervalMs: 200 },
  );
  if (!result.ok) throw new Error(`status of ${unit.label} never matched; last: ${JSON.stringify(last)}`);
  return result.value;
}

/** Waits until the service answers /health from the pid its supervisor reports. */
export async function waitForHealthy(
  supervisor: Supervisor,
  unit: UnitSpec,
  timeoutMs = 20_000,
): Promise<{ status: ServiceStatus; health: FixtureHealth }> {
  let last: unknown;
  const result = await waitFor(
    async () => {
      const status = await supervisor.status(unit);
      const health = status.state === 'running' ? await readHealth(unit.port) : null;
      last = { status, health };
      return health && health.pid === status.pid ? { status, health } : undefined;
    },
    { timeoutMs, maxIntervalMs: 200 },
  );
  if (!result.ok) throw new Error(`${unit.label} never became healthy; last: ${JSON.stringify(last)}`);
  return result.value;
}
