import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Everything that identifies one checkout of the repo and where its dev state lives. */
export interface Checkout {
  /** Real path of the repo root (symlinks resolved). */
  readonly root: string;
  /** Short stable hash of `root`: two worktrees get two ids, one checkout always the same id. */
  readonly id: string;
  /** `<root>/.tmp` — the only folder dev commands may delete from. */
  readonly tmpDir: string;
  /** `<root>/.tmp/dev` */
  readonly stateDir: string;
  /** `NEXU_HOME` for every service of this checkout. */
  readonly nexuHome: string;
  /** `<nexuHome>/logs`, one `<service>.log` per service. */
  readonly logsDir: string;
  /** Generated plists / unit files / keeper state, kept for inspection. */
  readonly unitsDir: string;
  /** `runtime.json`, the ledger. */
  readonly ledgerPath: string;
  /** Exclusive lock held while a command mutates state. */
  readonly lockPath: string;
  /** Who runs this checkout's watching session (one per checkout; see `runWatchSession`). */
  readonly watcherPath: string;
}

/** The file that marks a repo root. */
export const ROOT_MARKER = 'pnpm-workspace.yaml';

/** Walks up from `from` to the folder holding `pnpm-workspace.yaml`. */
export function findRepoRoot(from: string = process.cwd()): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, ROOT_MARKER))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `No ${ROOT_MARKER} found above ${from}: run nexu dev commands inside a checkout of the repo.`,
      );
    }
    dir = parent;
  }
}

/** Short stable id of a checkout: the first 8 hex digits of sha256(real path). */
export function checkoutIdFor(realRoot: string): string {
  return createHash('sha256').update(realRoot).digest('hex').slice(0, 8);
}

/** Resolves the checkout containing `from` (default: cwd) and all its state paths. */
export function resolveCheckout(from?: string): Checkout {
  return checkoutAt(realpathSync(findRepoRoot(from)));
}

/** The checkout whose root is `root` (a real path), with its id and state paths; touches no file. */
export function checkoutAt(root: string): Checkout {
  const tmpDir = join(root, '.tmp');
  const stateDir = join(tmpDir, 'dev');
  const nexuHome = join(stateDir, 'nexu-home');
  return {
    root,
    id: checkoutIdFor(root),
    tmpDir,
    stateDir,
    nexuHome,
    logsDir: join(nexuHome, 'logs'),
    unitsDir: join(stateDir, 'units'),
    ledgerPath: join(stateDir, 'runtime.json'),
    lockPath: join(stateDir, 'lock'),
    watcherPath: join(stateDir, 'watcher'),
  };
}
