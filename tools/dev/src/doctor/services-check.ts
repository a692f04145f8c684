import { findCrashReport } from '../logs/find-crash-report.js';
import { readLogTail } from '../logs/read-last-lines.js';
import { type CheckResult, type DoctorCheck, fail, ok, warn } from './doctor-check.js';

/**
 * Each service: healthy and attached to by the next start, not running, crash-looped (its reason
 * and the last error line of its log), or drifted (the start planner's reason to replace it).
 */
export const servicesCheck: DoctorCheck = {
  id: 'services',
  async run({ checkout, preview }) {
    const { plan, facts } = await preview();
    return Promise.all(
      plan.steps.map(async (step): Promise<CheckResult> => {
        const name = step.spec.name;
        const id = `services.${name}`;
        const status = facts.services.find((s) => s.spec.name === name)!.status;
        if (step.action === 'attach')
          return ok(id, `${name} runs healthy (pid ${step.running}): pnpm start attaches to it`);
        if (step.action === 'replace') {
          return warn(
            id,
            `${name} runs (pid ${step.running}) but ${step.cause}: pnpm start replaces it`,
            '`pnpm start` (replaces it).',
          );
        }
        if (status.state === 'crashed') {
          const lines = (await readLogTail(step.unit.logPath, 200).catch(() => undefined)) ?? [];
          const report = findCrashReport(lines, checkout.root);
          const last = report
            ? `${report.message}${report.location ? ` at ${report.location}` : ''}`
            : lines.filter((line) => line.trim() !== '').at(-1);
          return fail(
            id,
            `${name} crashed (${status.reason ?? 'no reason recorded'})${last ? `; last error: ${last}` : ''}`,
            `\`pnpm logs --service ${name} --no-follow\` shows why; fix it, then \`pnpm start\`.`,
          );
        }
        return ok(id, `${name} does not run (${step.cause}): pnpm start starts it`);
      }),
    );
  },
};
