import { createPalette, type Palette, paint } from '../format/color.js';
import type { CheckResult } from './doctor-check.js';
import type { DoctorReport } from './run-doctor.js';

/** The groups of checks, in the order they are printed, by the first part of a check's id. */
const GROUPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Node and tools', ['node', 'pnpm']],
  ['Backend', ['backend', 'launchd', 'systemd', 'process']],
  ['This checkout', ['checkout']],
  ['Ports', ['ports']],
  ['Services', ['services']],
  ['The machine', ['machine']],
  ['Watching', ['watching']],
];

const groupOf = (check: CheckResult) => check.id.split('.')[0] ?? '';

/**
 * The text `pnpm doctor` prints: one line per check under its group, `ok` / `warn` / `fail` with
 * the finding, and under each warn or fail the fix; a last line counts them.
 */
export function renderDoctor(report: DoctorReport, palette: Palette = paint): string {
  const mark = {
    ok: palette.green('ok  '),
    warn: palette.yellow('warn'),
    fail: palette.red('fail'),
  } as const;
  const lines: string[] = [];
  const known = new Set(GROUPS.flatMap(([, prefixes]) => prefixes));
  const groups: Array<readonly [string, readonly CheckResult[]]> = GROUPS.map(([title, prefixes]) => [
    title,
    report.checks.filter((check) => prefixes.includes(groupOf(check))),
  ]);
  groups.push(['Other', report.checks.filter((check) => !known.has(groupOf(check)))]);
  for (const [title, checks] of groups) {
    if (checks.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(palette.bold(title));
    for (const check of checks) {
      lines.push(`  ${mark[check.status]}  ${check.finding}`);
      if (check.status !== 'ok' && check.fix) lines.push(`        ${palette.dim('fix:')} ${check.fix}`);
    }
  }
  const count = (status: CheckResult['status']) => report.checks.filter((c) => c.status === status).length;
  const fails = count('fail');
  const warns = count('warn');
  lines.push(
    '',
    fails + warns === 0
      ? `All ${report.checks.length} checks passed.`
      : `${report.checks.length} checks: ${fails} failed, ${warns} ${warns === 1 ? 'warning' : 'warnings'}.`,
  );
  return lines.join('\n');
}

/** A palette without colour (tests, `--json`). */
export const plainPalette: Palette = createPalette(false);
