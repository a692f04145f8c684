import type { ServiceName, ServiceSpec } from '../services/manifest.js';

/**
 * Groups services into waves: every service's dependencies are in an earlier wave, so a wave's
 * services can start in parallel once the previous wave is healthy.
 */
export function planWaves(services: readonly ServiceSpec[]): ServiceSpec[][] {
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
