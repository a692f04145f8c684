/** Where a node binary was installed from: the version manager (or package manager) that owns it. */
export type NodeInstall = 'homebrew' | 'nvm' | 'fnm' | 'volta' | 'asdf' | 'mise' | 'system' | 'other';

// Each manager keeps its nodes under a folder of its own (nvm: ~/.nvm/versions/node/<v>/bin/node,
// fnm: $FNM_DIR/node-versions/<v>/installation/bin/node or a per-shell fnm_multishells link, volta:
// ~/.volta/tools/image/node/<v>/bin/node, asdf: ~/.asdf/installs/nodejs/<v>/bin/node, mise:
// ~/.local/share/mise/installs/node/<v>/bin/node, Homebrew: <prefix>/Cellar/node/<v>/bin/node).
const MANAGERS: ReadonlyArray<readonly [NodeInstall, RegExp]> = [
  ['nvm', /\/\.nvm\/versions\/node\//],
  ['fnm', /\/(fnm_multishells|node-versions)\//],
  ['volta', /\/\.volta\//],
  ['asdf', /\/\.asdf\//],
  ['mise', /\/mise\/installs\//],
  ['homebrew', /\/Cellar\/|^\/opt\/homebrew\/|^\/usr\/local\/opt\//],
];

const SYSTEM_DIRS = new Set(['/usr/bin', '/usr/local/bin', '/bin']);

/** Classifies a node binary by the folders of its real path (symlinks already resolved). */
export function classifyNodeInstall(realPath: string): NodeInstall {
  for (const [install, pattern] of MANAGERS) if (pattern.test(realPath)) return install;
  const dir = realPath.slice(0, realPath.lastIndexOf('/'));
  return SYSTEM_DIRS.has(dir) ? 'system' : 'other';
}
