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

/** One line of macOS `mount`: where a file system is mounted and its flags. */
export interface MountEntry {
  readonly path: string;
  /** The file system type first, then the flags `mount` prints (`local`, `removable`, `nodev`, ...). */
  readonly flags: readonly string[];
}

/**
 * Parses macOS `mount` output: `/dev/disk4s1 on /Volumes/USB (msdos, local, nodev, nosuid,
 * removable)`; a network share has no `local` (`//me@nas/share on /Volumes/share (smbfs, nodev,
 * nosuid, mounted by me)`). The flags are statfs(2)'s `f_flags` by name (MNT_LOCAL "local",
 * MNT_REMOVABLE "removable"; docs/platform.md, "Privacy (TCC)").
 */
export function parseMountOutput(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(.+?) on (.+) \(([^()]*)\)$/.exec(line.trim());
    if (match?.[2] && match[3] !== undefined) {
      entries.push({ path: match[2], flags: match[3].split(',').map((flag) => flag.trim()) });
    }
  }
  return entries;
}

/**
 * The protected folder `realPath` (already resolved: no symlinks) lies in, or null. A LaunchAgent
 * does not inherit Terminal's access to these (docs/platform.md, "Privacy (TCC)"): the home
 * folders above, and removable and network volumes. A `/Volumes/<name>` is protected only when
 * `mounts` shows it removable or not local (a second internal volume is not); when the mounts are
 * unknown (null), every one is taken as protected.
 */
export function findProtectedFolder(
  realPath: string,
  home: string,
  mounts: readonly MountEntry[] | null = null,
): ProtectedFolder | null {
  for (const [relative, name] of HOME_FOLDERS) {
    const path = `${home}${sep}${relative.split('/').join(sep)}`;
    if (isInside(realPath, path)) return { name, path };
  }
  const volume = /^\/Volumes\/[^/]+/.exec(realPath)?.[0];
  if (!volume) return null;
  if (mounts === null) return { name: volume, path: volume };
  // The deepest mount holding the path decides (a volume may hold further mounts).
  const mount = mounts
    .filter((entry) => isInside(realPath, entry.path))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!mount?.path.startsWith('/Volumes/')) return null;
  const network = !mount.flags.includes('local');
  const removable = mount.flags.includes('removable');
  if (!network && !removable) return null;
  return { name: mount.path, path: mount.path };
}

/** What to do about a checkout in a protected folder (one line, for errors and fallback notices). */
export function protectedFolderAdvice(folder: ProtectedFolder, nodePath: string): string {
  return (
    `LaunchAgents cannot read ${folder.name} without a privacy grant: add ${nodePath} under System Settings > ` +
    `Privacy & Security > Full Disk Access (or Files and Folders), or move the checkout out of ${folder.name}`
  );
}
