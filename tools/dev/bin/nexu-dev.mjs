#!/usr/bin/env node
// The `nexu-dev` bin of @nexu/dev: `nexu-dev <start | stop | restart | status | logs | reset-state |
// doctor> [options]`, what `pnpm start` and the other root scripts run. Runs the command from its
// built JavaScript (tools/dev/dist/cli), with plain node. The build is checked on every run (a stat per source file);
// when a source is newer, the CLI is rebuilt first and one line says so: stale code never runs.
import module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli, CLI_COMMANDS, CLI_DIST, checkCliBuild } from './build-cli.mjs';

// Node 22.1+ caches compiled code between runs (a no-op where it does not exist).
/** @type {{ enableCompileCache?: () => void }} */ (module).enableCompileCache?.();

const command = process.argv[2] ?? '';
if (!CLI_COMMANDS.includes(command)) {
  console.error(`usage: nexu-dev <${CLI_COMMANDS.join('|')}> [options]`);
  process.exit(2);
}
// pnpm's built-in `pnpm restart` runs the stop, restart and start scripts in turn, each with
// npm_command=restart (pnpm.io/cli/restart): the restart script does the whole job, the stop and
// start around it stand aside, so `pnpm restart controller` restarts the controller and nothing else.
const lifecycle = process.env.npm_lifecycle_event;
if (
  process.env.npm_command === 'restart' &&
  (lifecycle === 'stop' || lifecycle === 'start') &&
  lifecycle === command
) {
  process.exit(0);
}
const build = checkCliBuild();
if (!build.fresh) {
  console.error(`nexu dev: building the CLI (${build.why})…`);
  try {
    await buildCli();
  } catch {
    console.error('nexu dev: the CLI does not build: fix the error above and run the command again.');
    process.exit(1);
  }
}
if (process.env.NEXU_DEV_DEBUG) process.setSourceMapsEnabled(true);
// The command reads its own flags from argv, as when it runs on its own.
process.argv.splice(2, 1);
await import(pathToFileURL(join(CLI_DIST, `${command}.mjs`)).href);
