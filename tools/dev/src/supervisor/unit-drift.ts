// Why an installed unit differs from the one rendered now, in words a person can act on.

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
