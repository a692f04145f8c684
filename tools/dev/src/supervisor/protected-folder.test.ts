import { describe, expect, it } from 'vitest';
import { findProtectedFolder, protectedFolderAdvice } from './protected-folder.js';

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

  it('advises Full Disk Access for the node binary, or moving the checkout', () => {
    const folder = findProtectedFolder('/Users/dev/Documents/GitHub/nexu', home)!;
    expect(protectedFolderAdvice(folder, '/opt/homebrew/opt/node/bin/node')).toBe(
      'LaunchAgents cannot read ~/Documents without a privacy grant: add /opt/homebrew/opt/node/bin/node under ' +
        'System Settings > Privacy & Security > Full Disk Access (or Files and Folders), or move the checkout out of ~/Documents',
    );
  });
});
