import { SERVICES, type ServiceName, type ServiceSpec } from './manifest.js';

/** A subset of the manifest completed with what it needs (see `withDependencies`). */
export interface ServiceClosure {
  /** The named services and everything they depend on, in manifest (dependency) order. */
  readonly services: readonly ServiceSpec[];
  /** The services added because a named one depends on them, in manifest order. */
  readonly pulledIn: readonly ServiceName[];
}

/** The named services plus their dependencies, transitively (`start controller` runs the gateway too). */
export function withDependencies(
  names: readonly ServiceName[],
  manifest: readonly ServiceSpec[] = SERVICES,
): ServiceClosure {
  const wanted = new Set<ServiceName>();
  const visit = (name: ServiceName) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of manifest.find((s) => s.name === name)?.dependsOn ?? []) visit(dep);
  };
  for (const name of names) visit(name);
  const services = manifest.filter((s) => wanted.has(s.name));
  return { services, pulledIn: services.map((s) => s.name).filter((name) => !names.includes(name)) };
}

/** The services that depend on any of `names`, transitively, not among them, in manifest order. */
export function dependentsOf(
  names: readonly ServiceName[],
  manifest: readonly ServiceSpec[] = SERVICES,
): ServiceSpec[] {
  const reached = new Set<ServiceName>(names);
  // The manifest lists dependencies first: one pass in order reaches every transitive dependent.
  for (const spec of manifest) if (spec.dependsOn.some((dep) => reached.has(dep))) reached.add(spec.name);
  return manifest.filter((s) => reached.has(s.name) && !names.includes(s.name));
}
