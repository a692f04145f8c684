import type { Checkout } from '../checkout/checkout.js';
import { formatDuration } from '../format/format-duration.js';
import type { Reporter } from '../format/reporter.js';
import { CommandError, type CommandRunner, runCommand } from '../os/command-runner.js';
import { checkBuildFreshness } from './build-freshness.js';
import type { ServiceSpec } from './manifest.js';

/** argv running pnpm: the pnpm that runs this command when known, else the one on PATH. */
function pnpmArgv(): string[] {
  const execPath = process.env.npm_execpath;
  return execPath && /pnpm/.test(execPath) ? [process.execPath, execPath] : ['pnpm'];
}

/** Builds every service whose `dist/` is missing or older than its sources; reports progress. */
export async function ensureBuilt(
  services: readonly ServiceSpec[],
  checkout: Checkout,
  reporter: Reporter,
  runner: CommandRunner = runCommand,
): Promise<void> {
  const todo = services
    .map((spec) => ({ spec, freshness: checkBuildFreshness(spec, checkout) }))
    .filter(({ freshness }) => freshness.state !== 'fresh');
  await Promise.all(
    todo.map(async ({ spec, freshness }) => {
      const why = freshness.state === 'missing' ? 'no build yet' : 'sources changed since the last build';
      reporter.info(`${spec.name}: building (${why})…`);
      const started = performance.now();
      const argv = [...pnpmArgv(), '--silent', '--filter', spec.packageName, 'run', 'build'];
      const result = await runner(argv, { cwd: checkout.root, timeoutMs: 300_000 });
      if (result.exitCode !== 0) {
        throw new CommandError(
          { ...result, stderr: `${result.stdout}\n${result.stderr}`.trim() },
          `${spec.name} does not build: fix the error above, then run pnpm start again.`,
        );
      }
      reporter.info(`${spec.name}: built in ${formatDuration(performance.now() - started)}`);
    }),
  );
}
