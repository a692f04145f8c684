import { execFileSync } from 'node:child_process';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Checkout, resolveCheckout } from '../checkout/checkout.js';
import { SERVICES, serviceEntry } from '../services/manifest.js';

const git = (cwd: string, args: readonly string[]) =>
  execFileSync('git', ['-c', 'user.name=nexu test', '-c', 'user.email=test@nexu.invalid', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });

/**
 * Adds a real `git worktree` of a temp checkout beside it (in its temp folder, so removing the
 * checkout's folder removes it too), committing the checkout first when it is no repository yet
 * (built `dist/` and dependency links included, state folders left out). The worktree's builds
 * are marked newer than its sources, as after a `pnpm build`, so starting it builds nothing.
 */
export function addGitWorktree(checkout: Checkout, name: string): Checkout {
  if (!existsSync(join(checkout.root, '.git'))) {
    git(checkout.root, ['init', '-q']);
    writeFileSync(join(checkout.root, '.git', 'info', 'exclude'), '.tmp/\n');
    git(checkout.root, ['add', '-A']);
    git(checkout.root, ['commit', '-q', '-m', 'test checkout']);
  }
  const path = join(dirname(checkout.root), name);
  git(checkout.root, ['worktree', 'add', '-q', '--detach', path]);
  const worktree = resolveCheckout(path);
  const later = new Date(Date.now() + 2_000);
  for (const spec of SERVICES) utimesSync(serviceEntry(spec, worktree), later, later);
  return worktree;
}

/** `git worktree remove --force`: deletes the worktree, whatever runs from it. */
export function removeGitWorktree(main: Checkout, worktree: Checkout): void {
  git(main.root, ['worktree', 'remove', '--force', worktree.root]);
}
