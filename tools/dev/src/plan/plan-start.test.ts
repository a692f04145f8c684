import { describe, expect, it } from 'vitest';
import { checkoutAt } from '../checkout/checkout.js';
import type { HealthResult } from '../health/probe-health.js';
import type { ResolvedPort } from '../ports/resolve-port.js';
import { SERVICES } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import type { ServiceStatus } from '../supervisor/supervisor.js';
import { planStart, type ServiceFacts } from './plan-start.js';

// A fixed id keeps the labels below readable.
const checkout = { ...checkoutAt('/work/nexu'), id: 'ab12cd34' };
const ports = { gateway: 18789, controller: 18790, web: 18791 };
const gateway = SERVICES[0]!;

const running = (pid: number): ServiceStatus => ({
  label: 'io.nexu.gateway.ab12cd34.dev',
  state: 'running',
  pid,
  restarts: 0,
  lastExit: null,
});
const healthy = (pid: number, instance = checkout.id): HealthResult => ({
  ok: true,
  answer: { service: 'gateway', pid, instance, startedAt: '2026-11-30T00:00:00.000Z' },
});
const samePort: ResolvedPort = { port: 18789, expected: 18789, holder: { kind: 'service', pid: 100 } };

/** Facts of the gateway: running as pid 100, unit unchanged, healthy; `change` overrides any. */
function gatewayFacts(change: Partial<ServiceFacts> = {}): ServiceFacts {
  return {
    spec: gateway,
    unit: resolveUnitSpec(gateway, checkout, ports, { nodePath: '/usr/bin/node', extraEnv: {} }),
    status: running(100),
    drift: [],
    health: healthy(100),
    port: samePort,
    ...change,
  };
}

const plan = (facts: ServiceFacts) =>
  planStart({ checkout, backend: 'systemd', ports, services: [facts] }).steps[0]!;

describe('planStart', () => {
  it('attaches to a service that runs as installed and answers as ours from the supervised pid', () => {
    expect(plan(gatewayFacts())).toMatchObject({ action: 'attach', install: false, running: 100 });
  });

  it('replaces a running service whose unit changed, naming the keys', () => {
    expect(plan(gatewayFacts({ drift: ['env.NEXU_GATEWAY_TOKEN', 'env.PORT'] }))).toMatchObject({
      action: 'replace',
      reason: 'unit changed: env.NEXU_GATEWAY_TOKEN, env.PORT',
      install: true,
      running: 100,
    });
  });

  it.each<[string, Partial<ServiceFacts>, string]>([
    ['does not answer', { health: { ok: false, reason: 'ECONNREFUSED' } }, 'unhealthy: ECONNREFUSED'],
    [
      'answers for another instance',
      { health: healthy(100, 'ffff0000') },
      'port 18789 answers for instance ffff0000',
    ],
    [
      'answers from another pid',
      { health: healthy(200) },
      "port 18789 answers from pid 200, not the supervisor's pid 100",
    ],
    ['runs without a unit file', { drift: null }, 'its unit file is gone'],
  ])('replaces a running service that %s', (_name, change, reason) => {
    expect(plan(gatewayFacts(change))).toMatchObject({ action: 'replace', reason, running: 100 });
  });

  it.each<[string, ServiceStatus, readonly string[] | null, string, boolean]>([
    ['not installed', { ...running(0), state: 'not-installed', pid: null }, null, 'not installed', true],
    [
      'crashed',
      { ...running(0), state: 'crashed', pid: null, reason: 'crash loop: 5 failed starts in 30s' },
      [],
      'crashed (crash loop: 5 failed starts in 30s)',
      false,
    ],
    [
      'stopped, unit changed',
      { ...running(0), state: 'stopped', pid: null },
      ['argv'],
      'stopped; unit changed: argv',
      true,
    ],
  ])('starts a service that is %s', (_name, status, drift, reason, install) => {
    expect(plan(gatewayFacts({ status, drift, health: null }))).toMatchObject({
      action: 'start',
      reason,
      install,
      running: null,
    });
  });

  it('tells the move when a foreign process holds the expected port, whatever the unit says', () => {
    const port: ResolvedPort = {
      port: 18800,
      expected: 18789,
      holder: { kind: 'foreign', description: 'is held by pid 4242 (python3), not ours' },
      note: 'port 18789 is held by pid 4242 (python3), not ours: using 18800 instead',
    };
    const step = plan(gatewayFacts({ port, drift: ['env.PORT'] }));
    expect(step).toMatchObject({
      action: 'replace',
      reason: 'port 18789 is held by pid 4242 (python3), not ours: using 18800 instead',
      cause: 'unit changed: env.PORT',
      portNote: port.note,
    });
    const fresh = plan(
      gatewayFacts({ port, drift: null, status: { ...running(0), state: 'not-installed', pid: null } }),
    );
    expect(fresh.reason).toBe(`not installed; ${port.note}`);
  });
});
