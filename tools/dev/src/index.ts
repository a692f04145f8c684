// The public surface of @nexu/dev for the other packages of the repo: the benchmark (tools/bench,
// scripts/bench.ts) and the test and user-manager scripts. The commands themselves are the package's
// `nexu-dev` bin (src/cli/<command>.ts, built by bin/build-cli.mjs); nothing here exists for them.

export { parseProcStat } from '@nexu/service-kit/proc-stat';
export { type Checkout, findRepoRoot, resolveCheckout } from './checkout/checkout.js';
export { parseArgsOrExit, usageError } from './cli/parse-args.js';
export { resolveBackendFlag } from './cli/resolve-backend-flag.js';
export { runCli } from './cli/run-cli.js';
export { ensureBuilt } from './commands/ensure-built.js';
export { renderTable } from './format/render-table.js';
export { consoleReporter } from './format/reporter.js';
export { runCommand } from './os/command-runner.js';
export { isPortFree } from './os/port-free.js';
export { findPortOwner } from './os/port-owner.js';
export { runtimeProgramPath } from './os/runtime-program.js';
export { terminateGroup } from './os/terminate-group.js';
export {
  findService,
  SERVICE_NAMES,
  SERVICES,
  type ServiceName,
  type ServicePorts,
  type ServiceSpec,
} from './services/manifest.js';
export { createSupervisor } from './supervisor/select-supervisor.js';
export type { BackendName } from './supervisor/supervisor.js';
