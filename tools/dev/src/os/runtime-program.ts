import { fileURLToPath } from 'node:url';

/**
 * Where the programs nexu dev runs apart from the CLI are built from TypeScript, with it
 * (tools/dev/bin/build-cli.mjs): the process keeper, the crash-loop guard preloaded into every
 * launchd job and systemd unit, and for the tests the fake launchctl (its client, its resident server
 * and its job runner) and the
 * fixture services. Found from this source file's place, also inside the built CLI (whose
 * `import.meta.url` names this file), so a moved checkout finds its own.
 */
export const RUNTIME_DIR = fileURLToPath(new URL('../../dist/runtime/', import.meta.url));

/** The programs built into `RUNTIME_DIR`, by their source's name. */
export type RuntimeProgram =
  | 'keeper'
  | 'crash-loop-guard'
  | 'fake-launchctl'
  | 'fake-launchd-server'
  | 'fake-launchd-job'
  | `fixtures/${'fixture-service' | 'crash-on-start' | 'ignore-sigterm' | 'bind-race'}`;

/** Absolute path of a built runtime program (the fake launchctl is a bash script: no `.mjs`). */
export function runtimeProgramPath(name: RuntimeProgram): string {
  return name === 'fake-launchctl' ? `${RUNTIME_DIR}${name}` : `${RUNTIME_DIR}${name}.mjs`;
}
