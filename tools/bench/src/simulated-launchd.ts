import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeProgramPath } from '@nexu/dev';

/** A backend of ours run against a stand-in for its service manager, and that stand-in's environment. */
export interface SimulatedBackend {
  readonly backend: string;
  readonly env: Readonly<Record<string, string>>;
}

/** How long the simulated launchd keeps a booted-out label loaded (a Mac: 3-5 s; the bench takes 3 s). */
export const SIMULATED_DRAIN_MS = 3000;

/**
 * Off macOS, the launchd backend through the fake launchctl of the tests (it plays a Mac's answers
 * and its 3 s drain after bootout, in a domain of its own under the temp folder), so the lifecycle
 * scenario shows what a Mac user pays; its row is marked `simulated`. Null on a Mac (the real
 * launchd is measured) or when the fake is not in this checkout.
 */
export function simulatedLaunchd(): SimulatedBackend | null {
  if (process.platform === 'darwin') return null;
  const fake = runtimeProgramPath('fake-launchctl');
  if (!existsSync(fake)) return null;
  return {
    backend: 'launchd',
    env: {
      NEXU_DEV_LAUNCHCTL: fake,
      FAKE_LAUNCHCTL_STATE: mkdtempSync(join(tmpdir(), 'nexu-bench-launchd-')),
      FAKE_LAUNCHCTL_DRAIN_MS: String(SIMULATED_DRAIN_MS),
    },
  };
}
