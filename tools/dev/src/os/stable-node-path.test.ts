import { describe, expect, it } from 'vitest';
import { resolveStableNodePath } from './stable-node-path.js';

/** A file system of real paths and links (link -> target), as `realpath` sees it. */
const fs =
  (links: Record<string, string>, files: string[]) =>
  (path: string): string | null =>
    links[path] ?? (files.includes(path) ? path : null);

const CELLAR = '/opt/homebrew/Cellar/node/24.1.0/bin/node';
const brew = fs({ '/opt/homebrew/opt/node/bin/node': CELLAR, '/opt/homebrew/bin/node': CELLAR }, [
  CELLAR,
  '/usr/local/bin/node',
]);

describe('resolveStableNodePath', () => {
  it("prefers Homebrew's opt link over the versioned Cellar path", () => {
    expect(resolveStableNodePath({ execPath: CELLAR, pathEnv: '/usr/bin:/bin', realpath: brew })).toBe(
      '/opt/homebrew/opt/node/bin/node',
    );
  });

  it('finds the opt link of a versioned formula (node@22)', () => {
    const real = '/usr/local/Cellar/node@22/22.16.0/bin/node';
    const realpath = fs({ '/usr/local/opt/node@22/bin/node': real }, [real]);
    expect(resolveStableNodePath({ execPath: real, pathEnv: '', realpath })).toBe(
      '/usr/local/opt/node@22/bin/node',
    );
  });

  it('uses the node on PATH when it is the same binary', () => {
    const real = '/Users/dev/.volta/tools/image/node/22.16.0/bin/node';
    const realpath = fs({ '/Users/dev/.volta/bin/node': real }, [real]);
    expect(
      resolveStableNodePath({ execPath: real, pathEnv: '/Users/dev/.volta/bin:/usr/bin', realpath }),
    ).toBe('/Users/dev/.volta/bin/node');
  });

  it('keeps the running path when no link resolves to the same binary', () => {
    // /usr/local/bin/node is another node: never swap the binary the service runs on.
    expect(
      resolveStableNodePath({
        execPath: CELLAR,
        pathEnv: '/usr/local/bin',
        realpath: fs({}, [CELLAR, '/usr/local/bin/node']),
      }),
    ).toBe(CELLAR);
    expect(
      resolveStableNodePath({
        execPath: '/usr/bin/node',
        pathEnv: '/usr/bin',
        realpath: fs({}, ['/usr/bin/node']),
      }),
    ).toBe('/usr/bin/node');
  });
});
