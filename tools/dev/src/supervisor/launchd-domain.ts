/** What decides the launchd domain of this user's agents (read once per command). */
export interface LaunchdSessionFacts {
  readonly uid: number;
  readonly euid: number;
  /** Owner of /dev/console: the user logged in at the screen (root when nobody is); null if unknown. */
  readonly consoleUid: number | null;
  /** This command runs in an SSH session (SSH_CONNECTION / SSH_TTY / SSH_CLIENT set). */
  readonly ssh: boolean;
  /** `SUDO_USER`: the command runs through sudo. */
  readonly sudoUser: string | null;
  /**
   * The command runs with root's rights (euid 0, or uid != euid): root's agents and root-owned files
   * in the checkout; the launchd backend refuses it (see `superuserRefusal`).
   */
  readonly superuser: boolean;
}

/**
 * Why the launchd backend will not run for this session, or null: under `sudo` (or any euid 0, or
 * uid != euid) its jobs would be root's agents and every file it writes in the checkout root's.
 */
export function superuserRefusal(facts: LaunchdSessionFacts): string | null {
  if (!facts.superuser) return null;
  const how = facts.sudoUser
    ? `through sudo (as ${facts.sudoUser})`
    : facts.uid !== facts.euid
      ? `with uid ${facts.uid} and euid ${facts.euid}`
      : 'as root';
  return `refusing to run launchd agents ${how}: they would be root's agents and leave root-owned files in the checkout; run \`pnpm start\` as yourself, without sudo (or pass \`--backend process\`)`;
}

/** The domain chosen for this checkout's agents, and why when it is not the GUI session's. */
export interface LaunchdDomainChoice {
  readonly kind: 'gui' | 'user';
  /** `gui/<uid>` or `user/<uid>`. */
  readonly domain: string;
  /** Why `user/<uid>` was chosen (absent for `gui/<uid>`). */
  readonly reason?: string;
}

/**
 * Chooses `gui/<uid>` or `user/<uid>` up front, as Homebrew does: an SSH session whose user does not
 * own the console, sudo, or uid != euid get `user/<euid>`, where no GUI session is needed
 * (docs/platform.md, "launchctl", Targets).
 */
export function chooseLaunchdDomain(facts: LaunchdSessionFacts): LaunchdDomainChoice {
  const user = (reason: string): LaunchdDomainChoice => ({
    kind: 'user',
    domain: `user/${facts.euid}`,
    reason,
  });
  if (facts.ssh && facts.consoleUid !== facts.uid) {
    return user(
      facts.consoleUid === 0 || facts.consoleUid === null
        ? 'over SSH with nobody logged in at the console'
        : 'over SSH while another user owns the console',
    );
  }
  if (facts.sudoUser) return user(`running through sudo (as ${facts.sudoUser})`);
  if (facts.uid !== facts.euid) return user(`uid ${facts.uid} and euid ${facts.euid} differ`);
  return { kind: 'gui', domain: `gui/${facts.uid}` };
}
