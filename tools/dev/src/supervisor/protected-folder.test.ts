import { describe, expect, it } from 'vitest';
import { findProtectedFolder, parseMountOutput, protectedFolderAdvice } from './protected-folder.js';

const home = '/Users/dev';

describe('findProtectedFolder', () => {
  it.each([
    ['/Users/dev/Documents/GitHub/nexu', '~/Documents'],
    ['/Users/dev/Desktop/nexu', '~/Desktop'],
    ['/Users/dev/Downloads/nexu-main', '~/Downloads'],
    ['/Users/dev/Library/Mobile Documents/com~apple~CloudDocs/nexu', 'iCloud Drive'],
    ['/Volumes/Fast/hermes/nexu', '/Volumes/Fast'],
    ['/Users/dev/Documents', '~/Documents'],
  ])('%s is in %s', (path, name) => {
    expect(findProtectedFolder(path, home)?.name).toBe(name);
  });

  it.each([
    '/Users/dev/code/nexu',
    '/Users/dev/DocumentsArchive/nexu',
    '/Users/dev/Library/Developer/nexu',
    '/private/tmp/nexu',
    '/Volumes',
  ])('%s is not protected', (path) => {
    expect(findProtectedFolder(path, home)).toBeNull();
  });

  // The shape of macOS `mount` (flags by statfs(2) f_flags name: MNT_LOCAL, MNT_REMOVABLE).
  const mounts = parseMountOutput(
    [
      '/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)',
      '/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse, protect)',
      '/dev/disk5s1 on /Volumes/Fast (apfs, local, journaled)',
      '/dev/disk6s1 on /Volumes/USB Stick (msdos, local, nodev, nosuid, noowners, removable)',
      '//dev@nas._smb._tcp.local/share on /Volumes/share (smbfs, nodev, nosuid, mounted by dev)',
    ].join('\n'),
  );

  it('protects a /Volumes/<name> only when it is removable or a network volume', () => {
    expect(mounts.map((m) => m.path)).toEqual([
      '/',
      '/System/Volumes/Data',
      '/Volumes/Fast',
      '/Volumes/USB Stick',
      '/Volumes/share',
    ]);
    expect(findProtectedFolder('/Volumes/Fast/hermes/nexu', home, mounts)).toBeNull();
    expect(findProtectedFolder('/Volumes/USB Stick/nexu', home, mounts)?.name).toBe('/Volumes/USB Stick');
    expect(findProtectedFolder('/Volumes/share/src/nexu', home, mounts)?.name).toBe('/Volumes/share');
    // A folder in /Volumes that is no mount of its own lies on the boot volume.
    expect(findProtectedFolder('/Volumes/plain-folder/nexu', home, mounts)).toBeNull();
    // The home folders stay protected whatever the mounts say.
    expect(findProtectedFolder('/Users/dev/Documents/nexu', home, mounts)?.name).toBe('~/Documents');
  });

  it('advises Full Disk Access for the node binary, or moving the checkout', () => {
    const folder = findProtectedFolder('/Users/dev/Documents/GitHub/nexu', home)!;
    expect(protectedFolderAdvice(folder, '/opt/homebrew/opt/node/bin/node')).toBe(
      'LaunchAgents cannot read ~/Documents without a privacy grant: add /opt/homebrew/opt/node/bin/node under ' +
        'System Settings > Privacy & Security > Full Disk Access (or Files and Folders), or move the checkout out of ~/Documents',
    );
  });
});
