#!/usr/bin/env tsx
/**
 * Starts or stops a private systemd user manager on machines whose PID 1 is not systemd, so the
 * systemd backend can run (containers, CI). `pnpm test` does this by itself around the suite.
 *
 *   tsx scripts/systemd-user-manager.ts start   # start one if none answers; leaves it running
 *   tsx scripts/systemd-user-manager.ts stop    # `systemctl --user exit`
 *   tsx scripts/systemd-user-manager.ts status
 */
import { runCommand } from '@nexu/dev';
import { ensureUserManager, userManagerAnswers, userRuntimeDir } from '@nexu/dev/test-support';
import { argv } from 'zx';

const usage = 'usage: tsx scripts/systemd-user-manager.ts start|stop|status';
const [verb] = argv._.map(String);
const env = { ...process.env, XDG_RUNTIME_DIR: userRuntimeDir() };

if (argv.help || argv.h) {
  console.log(usage);
} else if (verb === 'start') {
  const manager = await ensureUserManager((line) => console.log(line));
  console.log(
    manager.started
      ? `systemd user manager running; use XDG_RUNTIME_DIR=${manager.runtimeDir}`
      : 'a systemd user manager already answers',
  );
  process.exit(0); // leave it running, detached
} else if (verb === 'stop') {
  const result = await runCommand(['systemctl', '--user', 'exit'], { env });
  console.log(
    result.exitCode === 0 ? 'systemd user manager asked to exit' : 'no systemd user manager answered',
  );
} else if (verb === 'status') {
  const answers = await userManagerAnswers(userRuntimeDir());
  console.log(
    answers
      ? `a systemd user manager answers (XDG_RUNTIME_DIR=${userRuntimeDir()})`
      : 'no systemd user manager answers',
  );
  process.exitCode = answers ? 0 : 1;
} else {
  console.error(usage);
  process.exitCode = 2;
}
