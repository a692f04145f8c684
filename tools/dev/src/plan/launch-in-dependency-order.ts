import type { ServiceName, ServiceSpec } from '../services/manifest.js';

/**
 * Orders services in waves: every service's dependencies are in an earlier wave (a cycle is an
 * error naming the services in it).
 */
function orderByDependencies(services: readonly ServiceSpec[]): ServiceSpec[][] {
  const done = new Set<ServiceName>();
  const left = [...services];
  const waves: ServiceSpec[][] = [];
  while (left.length > 0) {
    const wave = left.filter((s) =>
      s.dependsOn.every((dep) => done.has(dep) || !services.some((x) => x.name === dep)),
    );
    if (wave.length === 0) {
      throw new Error(`Dependency cycle among services: ${left.map((s) => s.name).join(', ')}`);
    }
    for (const s of wave) {
      done.add(s.name);
      left.splice(left.indexOf(s), 1);
    }
    waves.push(wave);
  }
  return waves;
}

/**
 * Runs `ensure` for every service in dependency order, each as soon as its dependencies are
 * *launched* (attached, or started under the supervisor on their final port) rather than healthy:
 * every service tolerates peers that come up later (the controller reconnects to the gateway,
 * web proxies per request), so the readiness waits overlap instead of adding up. A service whose
 * dependency failed before launching is not started. Settles everything before reporting the
 * first failure in dependency order.
 */
export async function launchInDependencyOrder<T>(
  services: readonly ServiceSpec[],
  ensure: (spec: ServiceSpec, launched: () => void) => Promise<T>,
): Promise<T[]> {
  const gates = new Map<ServiceName, Promise<void>>();
  const runs = orderByDependencies(services)
    .flat()
    .map((spec) => {
      let open!: () => void;
      let fail!: (error: unknown) => void;
      const gate = new Promise<void>((resolve, reject) => {
        open = resolve;
        fail = reject;
      });
      gate.catch(() => {}); // observed by dependents; a leaf's failure is reported below
      gates.set(spec.name, gate);
      const dependencies = spec.dependsOn.flatMap((name) => gates.get(name) ?? []);
      const run = Promise.all(dependencies).then(() => ensure(spec, open));
      run.then(open, fail);
      return { spec, run };
    });
  const settled = await Promise.allSettled(runs.map((r) => r.run));
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  const bySpec = new Map(runs.map((r, i) => [r.spec, (settled[i] as PromiseFulfilledResult<T>).value]));
  return services.map((spec) => bySpec.get(spec)!);
}
