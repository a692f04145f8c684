import type { DoctorContext } from './doctor-context.js';

/** How one check came out: `warn` works but deserves a look, `fail` stops `pnpm start` or hurts it. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `pnpm doctor`: what was found and, under a warn or fail, the exact way out. */
export interface CheckResult {
  /** Stable id for scripts (`ports.gateway`, `systemd.manager`): its first part is the group. */
  readonly id: string;
  readonly status: CheckStatus;
  readonly finding: string;
  /** The command or step that fixes it (warn and fail only); null when there is nothing to do. */
  readonly fix: string | null;
}

/** One check: reads facts through the context (never changes anything) and reports one or more lines. */
export interface DoctorCheck {
  /** Id of the check's line (or the prefix of its lines); used when it throws or times out. */
  readonly id: string;
  run(context: DoctorContext): Promise<CheckResult | readonly CheckResult[]>;
}

export const ok = (id: string, finding: string): CheckResult => ({ id, status: 'ok', finding, fix: null });
export const warn = (id: string, finding: string, fix: string | null): CheckResult => ({
  id,
  status: 'warn',
  finding,
  fix,
});
export const fail = (id: string, finding: string, fix: string): CheckResult => ({
  id,
  status: 'fail',
  finding,
  fix,
});
