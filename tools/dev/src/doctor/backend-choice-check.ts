import { createSupervisor, preferredBackend, selectSupervisor } from '../supervisor/select-supervisor.js';
import { BACKEND_NAMES } from '../supervisor/supervisor.js';
import { type CheckResult, type DoctorCheck, fail, ok, warn } from './doctor-check.js';

/**
 * Which backend `pnpm start` would choose and why (asking `selectSupervisor` itself), and why not
 * each other one (its preflight's reason).
 */
export const backendChoiceCheck: DoctorCheck = {
  id: 'backend.choice',
  async run({ checkout, platform, runner, env }) {
    const ask = { checkout, platform, runner, env };
    const [chosen, preflights] = await Promise.all([
      selectSupervisor(ask).then(
        (s) => ({ ok: true as const, backend: s.backend }),
        (error: Error) => ({ ok: false as const, reason: error.message }),
      ),
      Promise.all(
        BACKEND_NAMES.map(async (backend) => ({
          backend,
          result: await createSupervisor(backend, ask).preflight(),
        })),
      ),
    ]);
    const forced = env.NEXU_DEV_BACKEND;
    if (!chosen.ok) {
      return fail(
        this.id,
        `NEXU_DEV_BACKEND=${forced} cannot run here: ${chosen.reason}`,
        `Fix what the reason says, or \`unset NEXU_DEV_BACKEND\` to let pnpm start choose.`,
      );
    }
    const preferred = preferredBackend(platform.platform);
    const why = forced
      ? `NEXU_DEV_BACKEND=${forced}`
      : chosen.backend === preferred
        ? `the preferred backend on ${platform.platform}, and it answers`
        : preferred
          ? `${preferred} cannot run here`
          : `no service manager backend on ${platform.platform}`;
    const lines: CheckResult[] = [ok(this.id, `pnpm start would use ${chosen.backend} (${why})`)];
    for (const { backend, result } of preflights) {
      if (backend === chosen.backend) continue;
      const id = `backend.${backend}`;
      if (result.ok) lines.push(ok(id, `${backend} could run too (\`pnpm start --backend ${backend}\`)`));
      else if (backend === preferred && !forced)
        lines.push(
          warn(
            id,
            `not ${backend}: ${result.reason}`,
            `Fix what stops ${backend} (its lines below say how); meanwhile pnpm start uses ${chosen.backend}.`,
          ),
        );
      else lines.push(ok(id, `not ${backend}: ${result.reason}`));
    }
    return lines;
  },
};
