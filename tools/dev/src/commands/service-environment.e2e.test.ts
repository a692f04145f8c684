import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { createMemoryReporter } from '../format/reporter.js';
import { SERVICES, type ServicePorts } from '../services/manifest.js';
import { PASS_ENV_VARIABLE, resolveUnitSpec } from '../services/unit-spec.js';
import { GUARD_ENV } from '../supervisor/guard-env.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { createIsolatedMachine, type IsolatedMachine } from '../test-support/isolated-machine.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { startServices } from './start.js';
import { stopServices } from './stop.js';

// A user manager (and a caller) whose environment carries what a full shell does: node flags and a
// CA bundle. A service gets exactly its unit's environment plus what the user passes through.
const backends: BackendName[] = ['systemd', 'process', 'launchd'];
/** What each backend itself gives every process it starts, beside the unit's environment. */
const BACKEND_OWN: Record<BackendName, readonly string[]> = {
  systemd: [],
  process: [],
  // The fake, as launchd: the job's label (launchd.plist(5) has no key to drop it).
  launchd: ['XPC_SERVICE_NAME'],
};

/** The initial environment of a process, as the kernel holds it. */
function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

describe.skipIf(process.platform !== 'linux')('the environment of a service', { timeout: 120_000 }, () => {
  let machine: IsolatedMachine;
  let managerCa: string;
  const temps: TempCheckout[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    const scratch = createTempCheckout({ services: false });
    temps.push(scratch);
    managerCa = join(scratch.checkout.root, 'manager-ca.pem');
    writeFileSync(managerCa, '');
    machine = await createIsolatedMachine({
      managerEnv: { NODE_OPTIONS: '--max-old-space-size=64', NODE_EXTRA_CA_CERTS: managerCa },
    });
    machine.enter();
  });
  afterEach(() => {
    for (const key of ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', PASS_ENV_VARIABLE]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
  afterAll(async () => {
    for (const temp of temps) {
      await stopServices({ checkout: temp.checkout, reporter: createMemoryReporter() }).catch(() => {});
      temp.remove();
    }
    await machine?.close();
  });

  const open = (): Checkout => {
    const temp = createTempCheckout();
    temps.push(temp);
    return temp.checkout;
  };

  /** Starts every service; each one's environment beside the unit rendered for it. */
  async function startAndRead(backend: BackendName) {
    const checkout = open();
    const report = await startServices({ checkout, backend, reporter: createMemoryReporter() });
    const ports = Object.fromEntries(report.services.map((s) => [s.name, s.port])) as unknown as ServicePorts;
    return report.services.map((service) => ({
      name: service.name,
      actual: environOf(service.pid),
      unit: resolveUnitSpec(SERVICES.find((s) => s.name === service.name)!, checkout, ports).env,
    }));
  }

  describe.each(backends)('on the %s backend', (backend) => {
    it('is exactly its unit environment: neither NODE_OPTIONS nor NODE_EXTRA_CA_CERTS of the manager or the caller reaches it', async (ctx) => {
      if (backend === 'systemd' && !machine.systemd) ctx.skip();
      // The caller's shell carries them too (the process backend's keeper is started from it).
      process.env.NODE_OPTIONS = '--max-old-space-size=64';
      process.env.NODE_EXTRA_CA_CERTS = managerCa;
      for (const { name, actual, unit } of await startAndRead(backend)) {
        expect(actual.NODE_OPTIONS, name).toBeUndefined();
        expect(actual.NODE_EXTRA_CA_CERTS, name).toBeUndefined();
        const allowed = new Set([...Object.keys(unit), ...Object.values(GUARD_ENV), ...BACKEND_OWN[backend]]);
        expect(
          Object.keys(actual).filter((key) => !allowed.has(key)),
          name,
        ).toEqual([]);
        for (const [key, value] of Object.entries(unit)) expect(actual[key], `${name} ${key}`).toBe(value);
      }
    });

    it(`passes through what ${PASS_ENV_VARIABLE} names, exactly as the caller has it`, async (ctx) => {
      if (backend === 'systemd' && !machine.systemd) ctx.skip();
      const callerCa = join(temps[0]!.checkout.root, 'caller ca.pem');
      writeFileSync(callerCa, '');
      process.env.NODE_OPTIONS = '--max-old-space-size=64';
      process.env.NODE_EXTRA_CA_CERTS = callerCa;
      process.env[PASS_ENV_VARIABLE] = 'NODE_EXTRA_CA_CERTS, HTTPS_PROXY';
      for (const { name, actual } of await startAndRead(backend)) {
        expect(actual.NODE_EXTRA_CA_CERTS, name).toBe(callerCa);
        expect(actual.NODE_OPTIONS, name).toBeUndefined();
        expect(actual.HTTPS_PROXY, name).toBeUndefined();
      }
    });
  });

  it(`refuses a ${PASS_ENV_VARIABLE} entry that is not a variable name, saying how to write it`, async () => {
    process.env[PASS_ENV_VARIABLE] = 'NODE_EXTRA_CA_CERTS;rm';
    const checkout = open();
    await expect(
      startServices({ checkout, backend: 'process', reporter: createMemoryReporter() }),
    ).rejects.toThrow(
      /NEXU_DEV_PASS_ENV lists "NODE_EXTRA_CA_CERTS;rm", which is not a variable name: list names separated by commas/,
    );
  });
});
