#!/usr/bin/env tsx
/**
 * The one test command (README quick start and .ci/run): build, make sure the test
 * prerequisites exist on this machine (systemd user manager, Chromium), run every suite, and
 * stop whatever it started.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureUserManager } from '@nexu/dev/test-support';
import { $, argv, chalk } from 'zx';

$.verbose = false;
const say = (line: string) => console.log(chalk.dim(`[test] ${line}`));

/** Debian packages some tests need, by the file that shows each is installed. */
const TEST_PACKAGES = [
  { file: '/usr/bin/chromium', pkg: 'chromium', why: 'browser tests' },
  { file: '/usr/bin/plistutil', pkg: 'libplist-utils', why: 'plist validation' },
];

/** Installs the missing test packages with apt-get where we can (Debian, root); else says what is skipped. */
async function ensureTestPackages(): Promise<void> {
  if (process.platform !== 'linux') return;
  const missing = TEST_PACKAGES.filter(({ file }) => !existsSync(file));
  if (missing.length === 0) return;
  const canApt = (await $`command -v apt-get`.nothrow()).exitCode === 0 && process.getuid?.() === 0;
  if (!canApt) {
    for (const { pkg, why } of missing)
      say(`${pkg} is not installed and apt-get is not usable here: ${why} will be skipped`);
    return;
  }
  const names = missing.map(({ pkg }) => pkg);
  say(
    `installing Debian's ${names.join(', ')} for the ${missing.map(({ why }) => why).join(' and ')} (apt-get)`,
  );
  await $({ stdio: ['ignore', 'ignore', 'inherit'] })`apt-get update -qq`;
  await $({
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })`apt-get install -y -qq --no-install-recommends ${names}`;
}

interface SuiteResult {
  passed: number;
  failed: number;
  skipped: number;
  exitCode: number;
}

/** Runs one vitest suite (its own config) and reads its counts from vitest's JSON report. */
async function runSuite(config: string, args: string[], env: NodeJS.ProcessEnv): Promise<SuiteResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nexu-test-'));
  const report = join(dir, 'report.json');
  try {
    const run = await $({
      stdio: 'inherit',
      env,
      nothrow: true,
    })`pnpm exec vitest run --config ${config} --reporter=default --reporter=json --outputFile.json=${report} ${args}`;
    const counts = existsSync(report)
      ? (JSON.parse(await readFile(report, 'utf8')) as {
          numPassedTests: number;
          numFailedTests: number;
          numPendingTests: number;
          numTodoTests: number;
        })
      : undefined;
    return {
      passed: counts?.numPassedTests ?? 0,
      // A run that died before reporting counts as one failure, never as a pass.
      failed: counts?.numFailedTests ?? 1,
      skipped: (counts?.numPendingTests ?? 0) + (counts?.numTodoTests ?? 0),
      exitCode: run.exitCode ?? 1,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SUITES = [
  { name: 'tests', config: 'vitest.config.ts' },
  { name: 'faults', config: 'vitest.faults.config.ts' },
];

const USAGE = `Usage: pnpm test [--no-build] [vitest filters...]

Build every app, install missing test packages (Debian: chromium, libplist-utils), make sure a
systemd user manager answers (starting a private one if needed, stopped afterwards), then run the
main suite and the fault suite. Prints \`tests: …\`, \`faults: …\` and a \`total: N passed, M failed\` line.

  --no-build   skip \`pnpm build\` (the builds are already current)
  -h, --help   show this help and exit`;

async function main(): Promise<number> {
  if (argv.help || argv.h) {
    console.log(USAGE);
    return 0;
  }
  // minimist reads `--no-build` as `build: false`.
  if (argv.build !== false) {
    say('building all apps (turbo run build)');
    await $({ stdio: 'inherit' })`pnpm -s build`;
  }
  await ensureTestPackages();
  const manager = await ensureUserManager(say).catch((error: Error) => {
    say(`${error.message}: the systemd suites will be skipped`);
    return undefined;
  });
  const env = { ...process.env, ...(manager ? { XDG_RUNTIME_DIR: manager.runtimeDir } : {}) };
  const total = { passed: 0, failed: 0, skipped: 0 };
  let exitCode = 0;
  try {
    for (const suite of SUITES) {
      const result = await runSuite(suite.config, argv._.map(String), env);
      console.log(
        `${suite.name}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`,
      );
      total.passed += result.passed;
      total.failed += result.failed;
      total.skipped += result.skipped;
      if (result.exitCode !== 0) exitCode = result.exitCode;
    }
  } finally {
    if (manager?.started) {
      say('stopping the private systemd user manager');
      await manager.stop();
    }
  }
  console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return exitCode !== 0 || total.failed > 0 ? exitCode || 1 : 0;
}

process.exitCode = await main();
