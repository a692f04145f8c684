import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface StableNodePathInput {
  /** The running node (`process.execPath`), often a versioned real path. */
  readonly execPath: string;
  /** `PATH` of the shell that runs the command. */
  readonly pathEnv: string | undefined;
  /** Resolves a path to its real path; null when it does not exist. */
  readonly realpath: (path: string) => string | null;
}

// Homebrew installs node at <prefix>/Cellar/<formula>/<version>/bin/node and links it from
// <prefix>/opt/<formula>/bin/node and <prefix>/bin/node; `brew upgrade` + cleanup deletes the
// versioned folder, the links follow the new version.
const CELLAR = /^(.*)\/Cellar\/(node(?:@[\w.]+)?)\/[^/]+\/bin\/node$/;

/**
 * A path of the running node that survives an upgrade: Homebrew's `opt` link, its `bin` link, or
 * the `node` found on PATH, when it resolves to the same binary; else `execPath` itself.
 */
export function resolveStableNodePath(input: StableNodePathInput): string {
  const real = input.realpath(input.execPath);
  if (real === null) return input.execPath;
  const cellar = CELLAR.exec(input.execPath) ?? CELLAR.exec(real);
  const candidates = [
    ...(cellar ? [`${cellar[1]}/opt/${cellar[2]}/bin/node`, `${cellar[1]}/bin/node`] : []),
    ...(input.pathEnv ?? '')
      .split(delimiter)
      .filter((dir) => dir.startsWith('/'))
      .map((dir) => join(dir, 'node')),
  ];
  return (
    candidates.find((candidate) => candidate !== real && input.realpath(candidate) === real) ?? input.execPath
  );
}

const realpathOrNull = (path: string): string | null => {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
};

/** The running node's stable path (see resolveStableNodePath), resolved once per process. */
export const stableNodePath = (): string =>
  (cached ??= resolveStableNodePath({
    execPath: process.execPath,
    pathEnv: process.env.PATH,
    realpath: realpathOrNull,
  }));
let cached: string | undefined;
