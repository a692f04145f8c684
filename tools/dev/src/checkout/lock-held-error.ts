/** Another live nexu dev command holds this checkout's lock. */
export class LockHeldError extends Error {
  /** Pid of the command holding the lock. */
  readonly pid: number;
  /** What the holder was started as (`pnpm start`). */
  readonly command: string;
  /** Path of the lock file. */
  readonly lockPath: string;

  constructor(holder: { pid: number; command: string }, lockPath: string) {
    super(
      `another nexu dev command (pid ${holder.pid}, \`${holder.command}\`) is running in this checkout; ` +
        `wait for it or stop it (lock: ${lockPath})`,
    );
    this.name = 'LockHeldError';
    this.pid = holder.pid;
    this.command = holder.command;
    this.lockPath = lockPath;
  }
}
