import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canRunSystemd, startPrivateUserManager } from '../test-support/user-manager.js';
import { resolvePlatform } from './platform.js';
import { selectSupervisor } from './select-supervisor.js';

const checkout = { unitsDir: '/nonexistent/units' };

describe('selectSupervisor', () => {
  it('falls back to the process backend where a stopped user manager left its runtime folder', async (ctx) => {
    if (!canRunSystemd()) ctx.skip();
    // Its bus socket stays behind, with nobody listening on it.
    const dir = mkdtempSync(join(tmpdir(), 'nexu-stopped-manager-'));
    try {
      const runtimeDir = join(dir, 'run');
      const manager = await startPrivateUserManager({ runtimeDir, logDir: dir, configBase: dir });
      await manager.stop();
      const reasons: string[] = [];
      const supervisor = await selectSupervisor({
        checkout,
        platform: resolvePlatform({ platform: 'linux', env: { XDG_RUNTIME_DIR: runtimeDir } }),
        env: {},
        onFallback: (reason) => reasons.push(reason),
      });
      expect(supervisor.backend).toBe('process');
      expect(reasons[0]).toMatch(
        /cannot reach a user manager \(XDG_RUNTIME_DIR=[^)]+\): Failed to connect to bus/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
