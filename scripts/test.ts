#!/usr/bin/env tsx
/**
 * The one test command (README quick start and .ci/run): build, make sure the test
 * prerequisites exist on this machine (systemd user manager, Chromium), run every suite, and
 * stop whatever it started.
 */
import { existsSync } from 'node:fs';
import { $, argv, chalk } from 'zx';
import { ensureUserManager } from './lib/systemd-user-manager.js';

$.verbose = false;
const say = (line: string) => console.log(chalk.dim(`[test] ${line}`));

async function ensureChromium(): Promise<void> {
  if (process.platform !== 'linux' || existsSync('/usr/bin/chromium')) return;
  const canApt = (await $`command -v apt-get`.nothrow()).exitCode === 0 && process.getuid?.() === 0;
  if (!canApt) {
    say(
      'Chromium not found at /usr/bin/chromium and apt-get is not usable here: browser tests will be skipped',
    );
    return;
  }
  say("installing Debian's chromium for the browser tests (apt-get install chromium)");
  await $({ stdio: ['ignore', 'ignore', 'inherit'] })`apt-get update -qq`;
  await $({
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })`apt-get install -y -qq --no-install-recommends chromium`;
}

async function main(): Promise<number> {
  if (!argv['no-build']) {
    say('building all apps (turbo run build)');
    await $({ stdio: 'inherit' })`pnpm -s build`;
  }
  await ensureChromium();
  const manager = await ensureUserManager(say).catch((error: Error) => {
    say(`${error.message}: the systemd suites will be skipped`);
    return undefined;
  });
  const env = { ...process.env, ...(manager ? { XDG_RUNTIME_DIR: manager.runtimeDir } : {}) };
  try {
    const vitestArgs = argv._.map(String);
    const run = await $({ stdio: 'inherit', env, nothrow: true })`pnpm exec vitest run ${vitestArgs}`;
    return run.exitCode ?? 1;
  } finally {
    if (manager?.started) {
      say('stopping the private systemd user manager');
      await manager.stop();
    }
  }
}

process.exitCode = await main();
