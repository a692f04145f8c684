import { chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeProgramPath } from '../os/runtime-program.js';

/** The fake `launchctl` that plays launchd where it cannot run (see fake-launchctl.ts). */
export const FAKE_LAUNCHCTL = runtimeProgramPath('fake-launchctl');

/**
 * Points the launchd backend at the fake launchctl on machines that are not Macs, so every suite
 * can run `--backend launchd` (in this process and in the commands it spawns); on a Mac the real
 * launchctl stays. One fake domain per user, like launchd's: jobs are keyed by their labels,
 * which carry each checkout's id. Vitest runs this before every test file (setupFiles).
 */
export function useFakeLaunchdWhereNeeded(): void {
  if (process.platform === 'darwin') return;
  const state = join(tmpdir(), `nexu-fake-launchd-${process.getuid?.() ?? 0}`);
  mkdirSync(state, { recursive: true });
  chmodSync(FAKE_LAUNCHCTL, 0o755);
  process.env.NEXU_DEV_LAUNCHCTL ??= FAKE_LAUNCHCTL;
  process.env.FAKE_LAUNCHCTL_STATE ??= state;
}

useFakeLaunchdWhereNeeded();
