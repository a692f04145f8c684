import { type CheckResult, type DoctorCheck, fail } from './doctor-check.js';
import { DOCTOR_CHECKS } from './doctor-checks.js';
import { createDoctorContext, type DoctorOptions } from './doctor-context.js';

/** What `pnpm doctor --json` prints: every check's line, in a stable order. */
export interface DoctorReport {
  readonly checkout: { readonly id: string; readonly root: string };
  readonly checks: readonly CheckResult[];
}

export interface RunDoctorOptions extends DoctorOptions {
  /** The checks to run (default: all of them). */
  readonly checks?: readonly DoctorCheck[];
  /** Longest one check may take before it is reported as not answering (default 5 s). */
  readonly checkTimeoutMs?: number;
}

/** Runs one check; a throw or a check that does not answer in time is a failed line, never a crash or a hang. */
async function runCheck(
  check: DoctorCheck,
  context: ReturnType<typeof createDoctorContext>,
  timeoutMs: number,
): Promise<readonly CheckResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          fail(
            check.id,
            `did not answer within ${timeoutMs / 1000} s`,
            'Run `NEXU_DEV_DEBUG=1 pnpm run doctor` and see which command hangs (launchctl, systemctl, loginctl).',
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const result = await Promise.race([check.run(context), late]);
    return Array.isArray(result) ? result : [result as CheckResult];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [
      fail(
        check.id,
        `could not be checked: ${message}`,
        'Fix what the message names, then run `pnpm run doctor` again.',
      ),
    ];
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `pnpm doctor`: every precondition of `pnpm start` checked at once, read-only (no lock, no state
 * folder, no unit, no process, no ledger is created or changed).
 */
export async function runDoctor(options: RunDoctorOptions): Promise<DoctorReport> {
  const context = createDoctorContext(options);
  const timeoutMs = options.checkTimeoutMs ?? 5_000;
  const results = await Promise.all(
    (options.checks ?? DOCTOR_CHECKS).map((check) => runCheck(check, context, timeoutMs)),
  );
  return { checkout: { id: options.checkout.id, root: options.checkout.root }, checks: results.flat() };
}

/** Exit code of `pnpm doctor`: 1 when a check failed, else 0 (warnings alone do not fail it). */
export function doctorExitCode(report: DoctorReport): number {
  return report.checks.some((check) => check.status === 'fail') ? 1 : 0;
}
