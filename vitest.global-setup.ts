// Before any test file: the programs the tests start that are built from TypeScript (the process
// keeper, the crash-loop guard, the fake launchctl and its fixtures, the CLI) must be current, as
// `pnpm start` makes sure for the CLI. A fresh build costs one stat per source file.
import { buildCli, checkCliBuild } from './tools/dev/bin/build-cli.mjs';

export default async function buildWhatTheTestsStart(): Promise<void> {
  const build = checkCliBuild();
  if (build.fresh) return;
  console.log(`[test] building the CLI and its runtime programs (${build.why})`);
  await buildCli();
}
