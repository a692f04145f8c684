// Crash-loop guard preloaded into every launchd job and systemd unit:
// `node --import=<tools/dev/dist/runtime/crash-loop-guard.mjs> dist/main.js` (built from this file
// on its own: it runs inside every start of a service, so it stays a few small functions).
//
// Why: launchd has no start limit, and systemd forgets its start-limit counters at every
// daemon-reload (any checkout's start or stop reloads the user manager: a crash loop under it could
// run forever). For launchd: KeepAlive {SuccessfulExit: false} restarts a failing job every
// ThrottleInterval forever, and it cannot be told "never restart after exit 78". Alternatives:
// running the process keeper under launchd (two supervisors, and launchd's pid would no longer be
// the service's), or polling from the CLI (nothing polls once `pnpm start` exits). A preload runs
// inside every spawn launchd makes, costs one small file read, and keeps the service's pid the
// job's pid. It records start times in <state>.starts (the supervisor deletes that file before each
// explicit start/restart, so only launchd's own restarts count); past the limit it writes
// <state>.crashed and exits 0, which KeepAlive {SuccessfulExit: false} does not restart. An exit 78
// is recorded in <state>.stopped and turned into exit 0 for the same reason (setting exitCode in an
// 'exit' listener takes effect: verified on Node 20); systemd's units keep their 78, which
// RestartPreventExitStatus= honours (NEXU_DEV_GUARD_RECORD_EXIT_78 unset).
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@nexu/service-kit/write-file-atomic';
import {
  CONFIG_EXIT_REASON,
  countCrashLoop,
  DEFAULT_CRASH_LOOP,
  describeCrashLoop,
  EXIT_CONFIG,
} from './crash-loop.js';
import { GUARD_ENV } from './guard-env.js';

const base = process.env[GUARD_ENV.stateBase];
if (base) {
  const maxStarts = Number(process.env[GUARD_ENV.maxStarts]) || DEFAULT_CRASH_LOOP.maxStarts;
  const windowMs = Number(process.env[GUARD_ENV.windowMs]) || DEFAULT_CRASH_LOOP.windowMs;
  const verdict = describeCrashLoop({ maxStarts, windowMs });
  // The service sees exactly its own environment.
  delete process.env[GUARD_ENV.stateBase];
  delete process.env[GUARD_ENV.maxStarts];
  delete process.env[GUARD_ENV.windowMs];
  const recordConfigExit = process.env[GUARD_ENV.recordConfigExit] === '1';
  delete process.env[GUARD_ENV.recordConfigExit];

  const write = (path: string, value: unknown) => writeFileAtomicSync(path, `${JSON.stringify(value)}\n`);
  const now = Date.now();
  let starts: unknown = [];
  try {
    starts = JSON.parse(readFileSync(`${base}.starts`, 'utf8'));
  } catch {
    // first start since the supervisor cleared it
  }
  const { recent, looping } = countCrashLoop(Array.isArray(starts) ? starts : [], now, {
    maxStarts,
    windowMs,
  });
  write(`${base}.starts`, [...recent, now]);
  if (looping) {
    write(`${base}.crashed`, {
      reason: verdict,
      at: new Date(now).toISOString(),
    });
    console.error(`[nexu dev] ${verdict}; not restarting`);
    process.exit(0);
  }
  process.on('exit', (code) => {
    if (code !== EXIT_CONFIG || !recordConfigExit) return;
    write(`${base}.stopped`, {
      reason: CONFIG_EXIT_REASON,
      code,
      at: new Date().toISOString(),
    });
    process.exitCode = 0;
  });
}
