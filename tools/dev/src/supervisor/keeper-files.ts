import { join } from 'node:path';

/**
 * Where the process backend keeps one checkout's units and its keeper's files, all in the
 * checkout's units folder: per service `<label>.unit.json` (what to run), `<label>.request.json`
 * (whether it should run, and which start or restart was asked last) and `<label>.json` (what the
 * keeper did); per checkout `keeper.lock` (the one keeper's pid and start time) and `keeper.log`.
 */
export function keeperFiles(unitsDir: string) {
  return {
    unit: (label: string) => join(unitsDir, `${label}.unit.json`),
    request: (label: string) => join(unitsDir, `${label}.request.json`),
    state: (label: string) => join(unitsDir, `${label}.json`),
    lock: join(unitsDir, 'keeper.lock'),
    log: join(unitsDir, 'keeper.log'),
  };
}

/** The label of a `<label>.request.json` file name, or null for any other file. */
export function requestLabelOf(name: string): string | null {
  return name.endsWith('.request.json') ? name.slice(0, -'.request.json'.length) : null;
}
