import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';

// A unit names node by a path; the same binary has many spellings (a folder of symlinks first on
// PATH, `/bin` -> `/usr/bin` on merged-/usr systems, fnm's per-shell
// `fnm_multishells/<pid>_<ts>/bin`, Homebrew's `opt` and `bin` links). A unit names node by the
// one that survives shells and upgrades, and two spellings are the same node when they resolve to
// the same file. docs/platform.md, "Which node a unit runs".

/** Where a node binary comes from, read from its real path. */
export type NodeInstall = 'homebrew' | 'nvm' | 'fnm' | 'volta' | 'asdf' | 'mise' | 'system' | 'other';

/** Resolves a path to its real path; null when it does not exist. */
export type RealPath = (path: string) => string | null;

/** `realpath(3)` of `path`, or null when it (or a link on the way) does not exist. */
export const realpathOrNull: RealPath = (path) => {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
};

// Homebrew installs node at <prefix>/Cellar/<formula>/<version>/bin/node (prefix /opt/homebrew on
// Apple silicon, /usr/local on Intel, /home/linuxbrew/.linuxbrew on Linux) and links it from
// <prefix>/opt/<formula>/bin/node; `brew upgrade` + cleanup deletes the versioned folder, the opt
// link follows the new version.
const CELLAR = /^(.*)\/Cellar\/(node(?:@[^/]+)?)\/[^/]+\/bin\/node$/;

/** Real-path shapes of each version manager's installs (their shims are never a real node). */
const INSTALLS: ReadonlyArray<readonly [NodeInstall, RegExp]> = [
  ['homebrew', CELLAR],
  // $NVM_DIR (~/.nvm, or $XDG_CONFIG_HOME/nvm)/versions/node/v20.19.0/bin/node
  ['nvm', /\/\.?nvm\/versions\/node\/[^/]+\/bin\/node$/],
  // ~/.local/share/fnm, ~/Library/Application Support/fnm or ~/.fnm: node-versions/v20.19.0/installation/bin/node
  ['fnm', /\/\.?fnm\/node-versions\/[^/]+\/installation\/bin\/node$/],
  // $VOLTA_HOME (~/.volta)/tools/image/node/20.19.0/bin/node
  ['volta', /\/\.?volta\/tools\/image\/node\/[^/]+\/bin\/node$/],
  // $ASDF_DATA_DIR (~/.asdf)/installs/nodejs/20.19.0/bin/node
  ['asdf', /\/\.?asdf\/installs\/nodejs\/[^/]+\/bin\/node$/],
  // ~/.local/share/mise (formerly rtx)/installs/node/20.19.0/bin/node
  ['mise', /\/(?:mise|rtx)\/installs\/node\/[^/]+\/bin\/node$/],
  // A distribution's package, the nodejs.org installer, MacPorts.
  ['system', /(?:^|\/)(?:usr\/|usr\/local\/|opt\/local\/)bin\/node$|^\/bin\/node$/],
];

/** Which install a node binary belongs to, from its real path (see `NodeInstall`). */
export function classifyNodeInstall(realPath: string): NodeInstall {
  return INSTALLS.find(([, shape]) => shape.test(realPath))?.[0] ?? 'other';
}

/**
 * The path a unit runs node by, for the node at `execPath` (the running binary): Homebrew's `opt`
 * link for a Cellar install, else the binary's real path. Never a spelling taken from PATH (a
 * per-shell folder, a folder of symlinks, a version manager's shim): what one shell finds first
 * another does not.
 */
export function resolveNodePath(execPath: string, realpath: RealPath = realpathOrNull): string {
  const real = realpath(execPath);
  if (real === null) return execPath;
  const cellar = CELLAR.exec(real);
  if (cellar) {
    const opt = `${cellar[1]}/opt/${cellar[2]}/bin/node`;
    if (realpath(opt) === real) return opt;
  }
  return real;
}

/** Whether two paths name the same node binary (both exist and resolve to the same file). */
export function isSameNode(a: string, b: string, realpath: RealPath = realpathOrNull): boolean {
  if (a === b) return true;
  const real = realpath(a);
  return real !== null && real === realpath(b);
}

/** PATH handed to a service run by `nodePath`: node's own folder first (launchd's default PATH has no node). */
export function nodeServicePath(nodePath: string): string {
  return [dirname(nodePath), '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'].join(':');
}
