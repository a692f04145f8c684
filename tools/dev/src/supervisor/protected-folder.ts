import { sep } from 'node:path';

/** A macOS privacy-protected (TCC) location a path lies in. */
export interface ProtectedFolder {
  /** As the user knows it: `~/Documents`, `iCloud Drive`, `/Volumes/Data`. */
  readonly name: string;
  /** Its absolute path. */
  readonly path: string;
}

const HOME_FOLDERS: ReadonlyArray<readonly [string, string]> = [
  ['Documents', '~/Documents'],
  ['Desktop', '~/Desktop'],
  ['Downloads', '~/Downloads'],
  ['Library/Mobile Documents', 'iCloud Drive'],
];

const isInside = (path: string, folder: string) => path === folder || path.startsWith(`${folder}${sep}`);

/**
 * The protected folder `realPath` (already resolved: no symlinks) lies in, or null. A LaunchAgent
 * does not inherit Terminal's access to these (docs/platform.md, "Privacy (TCC)").
 */
export function findProtectedFolder(realPath: string, home: string): ProtectedFolder | null {
  for (const [relative, name] of HOME_FOLDERS) {
    const path = `${home}${sep}${relative.split('/').join(sep)}`;
    if (isInside(realPath, path)) return { name, path };
  }
  const volume = /^\/Volumes\/[^/]+/.exec(realPath)?.[0];
  return volume ? { name: volume, path: volume } : null;
}

/** What to do about a checkout in a protected folder (one line, for errors and fallback notices). */
export function protectedFolderAdvice(folder: ProtectedFolder, nodePath: string): string {
  return (
    `LaunchAgents cannot read ${folder.name} without a privacy grant: add ${nodePath} under System Settings > ` +
    `Privacy & Security > Full Disk Access (or Files and Folders), or move the checkout out of ${folder.name}`
  );
}
