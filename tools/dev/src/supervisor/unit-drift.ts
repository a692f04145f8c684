// Why an installed unit differs from the one rendered now, in words a person can act on.
import { isSameNode, nodeServicePath, type RealPath, realpathOrNull } from '../os/node-identity.js';
import type { UnitSpec } from './supervisor.js';

/** A unit's settings as flat `name -> value` pairs: `argv`, `cwd`, `log`, `env.PORT`, ... */
export type UnitFields = Readonly<Record<string, string>>;

/**
 * The settings that differ between an installed unit and the one rendered now, sorted
 * (`env.PORT`, `argv`); `[]` when they are the same. Text that differs in nothing but formatting
 * (a unit written by another version of this tool) reads as `unit file format`.
 */
export function diffUnitFields(installed: UnitFields, rendered: UnitFields): string[] {
  const names = new Set([...Object.keys(installed), ...Object.keys(rendered)]);
  const changed = [...names].filter((name) => installed[name] !== rendered[name]).sort();
  return changed;
}

/** Flattens parsed JSON or plist data: nested keys joined with `.`, arrays as JSON text. */
export function flattenFields(value: unknown, rename: Readonly<Record<string, string>> = {}): UnitFields {
  const fields: Record<string, string> = {};
  const visit = (node: unknown, path: string) => {
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      for (const [key, child] of Object.entries(node)) {
        const name = path ? `${path}.${key}` : key;
        visit(child, rename[name] ?? name);
      }
      return;
    }
    fields[path] = typeof node === 'string' ? node : JSON.stringify(node);
  };
  visit(value, '');
  return fields;
}

/**
 * The drift of one unit: null when nothing is installed, `[]` when the installed text is exactly
 * what would be rendered now, else the names of the settings that changed.
 */
export function describeDrift(
  installed: string | null,
  rendered: string,
  fields: (text: string) => UnitFields,
): string[] | null {
  if (installed === null) return null;
  if (installed === rendered) return [];
  let changed: string[];
  try {
    changed = diffUnitFields(fields(installed), fields(rendered));
  } catch {
    return ['unit file (unreadable)'];
  }
  return changed.length > 0 ? changed : ['unit file format'];
}

/** How one backend renders and reads its unit files, for telling drift. */
export interface UnitFormat {
  render(unit: UnitSpec): string;
  fields(text: string): UnitFields;
  /** The program an installed unit runs (its node), or null when its text says none. */
  node(text: string): string | null;
}

/**
 * The drift of one unit (see `describeDrift`), where the unit's node is an identity, not a
 * spelling: an installed unit that runs the same binary by another path (another PATH's folder of
 * symlinks, `/bin` for `/usr/bin`) has not drifted, nor has the PATH derived from it. A unit whose
 * node no longer exists (uninstalled, upgraded and cleaned up) has: `node (<path> no longer exists)`.
 */
export function describeUnitDrift(
  installed: string | null,
  unit: UnitSpec,
  format: UnitFormat,
  realpath: RealPath = realpathOrNull,
): string[] | null {
  if (installed === null) return null;
  let node: string | null = null;
  try {
    node = format.node(installed);
  } catch {
    // unreadable: describeDrift says so
  }
  if (node !== null && realpath(node) === null) return [`node (${node} no longer exists)`];
  const wanted = unit.argv[0];
  const same = node !== null && wanted !== undefined && node !== wanted && isSameNode(node, wanted, realpath);
  return describeDrift(installed, format.render(same ? withNodePath(unit, node!) : unit), format.fields);
}

/** `unit` run by another path of its node: the first argument, and the PATH derived from it. */
export function withNodePath(unit: UnitSpec, node: string): UnitSpec {
  const [first, ...rest] = unit.argv;
  const derived = first !== undefined && unit.env.PATH === nodeServicePath(first);
  return {
    ...unit,
    argv: [node, ...rest],
    env: derived ? { ...unit.env, PATH: nodeServicePath(node) } : unit.env,
  };
}
