// Exit codes `launchctl` answers with (see docs/platform.md, "launchctl"): the backend reads them
// and the fake launchctl of the tests plays the very same ones.
export const LAUNCHCTL_EXIT = Object.freeze({
  /** 2 No such file or directory: the plist path does not exist. */
  noSuchFile: 2,
  /** 3 No such process: bootout of a label that is not loaded (treat as done). */
  noSuchProcess: 3,
  /** 5 Input/output error: what a normal user sees for nearly every bootstrap failure. */
  ioError: 5,
  /** 17 File exists: an older launchd's answer to bootstrapping a label that is loaded. */
  fileExists: 17,
  /** 36 Operation now in progress: bootout of a label a bootout is still draining. */
  inProgress: 36,
  /** 37 Operation already in progress: bootstrap of a loaded label (or, as root, of a draining one). */
  alreadyInProgress: 37,
  /** 64 usage error (sysexits EX_USAGE). */
  usage: 64,
  /** 112 Could not find domain: no GUI session for `gui/<uid>` (SSH with nobody at the console). */
  noDomain: 112,
  /** 113 Could not find service: the label is not loaded (print, kickstart; bootout on recent macOS: done). */
  notFound: 113,
  /** 119 Service is disabled (as root; a normal user sees 5). */
  disabled: 119,
  /** 122 Path had bad ownership/permissions (as root; a normal user sees 5). */
  badPermissions: 122,
  /** 125 Domain does not support specified action: no GUI session here (headless, SSH, Background). */
  unsupportedDomain: 125,
  /** 133 Multiple errors, e.g. an invalid property list (as root; a normal user sees 5). */
  multipleErrors: 133,
} as const);
