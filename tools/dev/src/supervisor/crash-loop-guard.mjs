// Crash-loop guard preloaded into every launchd job and systemd unit:
// `node --import=<this file> dist/main.js`.
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
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  CONFIG_EXIT_REASON,
  countCrashLoop,
  DEFAULT_CRASH_LOOP,
  describeCrashLoop,
  EXIT_CONFIG,
} from './crash-loop.mjs';

const base = process.env.NEXU_DEV_GUARD_STATE;
if (base) {
  const maxStarts = Number(process.env.NEXU_DEV_GUARD_MAX_STARTS) || DEFAULT_CRASH_LOOP.maxStarts;
  const windowMs = Number(process.env.NEXU_DEV_GUARD_WINDOW_MS) || DEFAULT_CRASH_LOOP.windowMs;
  const verdict = describeCrashLoop({ maxStarts, windowMs });
  // The service sees exactly its own environment.
  delete process.env.NEXU_DEV_GUARD_STATE;
  delete process.env.NEXU_DEV_GUARD_MAX_STARTS;
  delete process.env.NEXU_DEV_GUARD_WINDOW_MS;
  const recordConfigExit = process.env.NEXU_DEV_GUARD_RECORD_EXIT_78 === '1';
  delete process.env.NEXU_DEV_GUARD_RECORD_EXIT_78;

  const write = (path, value) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(value)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  };
  const now = Date.now();
  let starts = [];
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
