import type { LaunchFailureCause } from './launchd-job-state.js';
import { type ProtectedFolder, protectedFolderAdvice } from './protected-folder.js';

/** What is known about a job launchd could not run, beyond its print. */
export interface LaunchFailureFacts {
  /** The program the plist runs (node), or null when the plist cannot be read. */
  readonly program: string | null;
  /** Whether that program exists now. */
  readonly programExists: boolean;
  /** The privacy-protected folder the checkout lies in, or null. */
  readonly folder: ProtectedFolder | null;
  /** `last exit code` of the job (126: the shell or node could not `getcwd`). */
  readonly lastExitCode: number | null;
}

/**
 * The likely cause of a launch failure and what to do, from launchd's reason (docs/platform.md,
 * "launchctl": exit reasons, privacy). One clause, appended to the status reason after `; `.
 */
export function launchFailureAdvice(cause: LaunchFailureCause, facts: LaunchFailureFacts): string {
  const node = facts.program ?? 'node';
  if (facts.program !== null && !facts.programExists) {
    return `${node} does not exist any more (node uninstalled or upgraded away): run \`pnpm start\` to render the unit with the node you run now`;
  }
  switch (cause) {
    case 'codesigning':
      return `launchd refused ${node}'s code signature: it changed under the loaded job (a node upgrade or a copy over the binary); \`pnpm start\` loads the job anew, and if that fails too, reinstall node (\`codesign -v ${node}\` tells)`;
    case 'exec':
      return `macOS refused to execute ${node} (exec or AMFI policy): check \`codesign -v ${node}\` and \`xattr -l ${node}\` (quarantine), or reinstall node`;
    case 'spawn':
      if (facts.folder) return privacyRefusal(facts.folder, node, 'could not open its log or folder');
      return `launchd could not open the program, its working directory or its log: check that ${node}, the checkout and .tmp/dev are readable`;
    case 'unguarded':
      if (facts.folder) return privacyRefusal(facts.folder, node, 'cannot read its files');
      if (facts.lastExitCode === 126) {
        return 'node could not enter its working directory (getcwd, exit 126): check that the checkout is readable';
      }
      return 'node cannot read the checkout: check that the checkout and its dist/ folders are readable';
  }
}

function privacyRefusal(folder: ProtectedFolder, node: string, what: string): string {
  return `the job ${what}: macOS privacy refused it (the checkout is in ${folder.name}). ${protectedFolderAdvice(folder, node)}; a grant is tied to the binary and lost when Homebrew upgrades node`;
}
