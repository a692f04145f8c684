// The public surface of @nexu/dev: what the command scripts and the benchmark package use. Wiring
// only; everything else stays internal. The watch stack (esbuild, chokidar, Vite) is loaded on
// demand by `runWatchSession`, so commands that do not watch never pay for it.

import { runLogs } from './commands/logs.js';

export { stampOutput } from '@nexu/service-kit';
export { parseProcStat } from '@nexu/service-kit/proc-stat';
export { type Checkout, findRepoRoot, resolveCheckout } from './checkout/checkout.js';
export { checkBackendEnv } from './cli/check-backend-env.js';
export { terminalConfirmation } from './cli/confirmation.js';
export { type CommandSpec, parseArgsOrExit, parseCommandLineOrExit, usageError } from './cli/parse-args.js';
export { parseSince } from './cli/parse-since.js';
export { resolveBackendFlag } from './cli/resolve-backend-flag.js';
export { resolveServiceNames } from './cli/resolve-service-names.js';
export { runCli } from './cli/run-cli.js';
export { ensureBuilt } from './commands/ensure-built.js';
export { runLogs } from './commands/logs.js';
export { collectMachineStatus, machineStatusExitCode } from './commands/machine-status.js';
export { renderMachineStatus } from './commands/render-machine-status.js';
export { renderRestartReport } from './commands/render-restart-report.js';
export { renderStartPreview } from './commands/render-start-preview.js';
export { renderStartReport } from './commands/render-start-report.js';
export { renderStatus } from './commands/render-status.js';
export { resetState } from './commands/reset-state.js';
export { restartServices } from './commands/restart.js';
export { previewStart, type StartReport, startServices } from './commands/start.js';
export { collectStatus, statusExitCode } from './commands/status.js';
export { stopServices } from './commands/stop.js';
export { stopAllServices, stopOrphanedServices } from './commands/stop-machine.js';
export { stopServiceSubset } from './commands/stop-subset.js';
export { renderDoctor } from './doctor/render-doctor.js';
export { type DoctorReport, doctorExitCode, runDoctor } from './doctor/run-doctor.js';
export { shouldColour } from './format/color.js';
export { formatDuration } from './format/format-duration.js';
export { renderTable } from './format/render-table.js';
export { consoleReporter, createMemoryReporter, type Reporter } from './format/reporter.js';
export { defaultLogLines } from './logs/default-log-lines.js';
export { findOrphanHint } from './machine/orphan-hint.js';
export { runCommand } from './os/command-runner.js';
export { isPortFree } from './os/port-free.js';
export { findPortOwner } from './os/port-owner.js';
export { terminateGroup } from './os/terminate-group.js';
export { StartInterruptedError } from './plan/start-interrupted-error.js';
export {
  findService,
  SERVICE_NAMES,
  SERVICES,
  type ServiceName,
  type ServicePorts,
  type ServiceSpec,
} from './services/manifest.js';
export { withDependencies } from './services/service-closure.js';
export { createSupervisor } from './supervisor/select-supervisor.js';
export type { BackendName } from './supervisor/supervisor.js';
export {
  BACKGROUND_WATCH_ENV,
  describeWatcher,
  endWatcher,
  readWatcher,
  spawnBackgroundWatch,
  WATCH_LOG_NAME,
  watchLogPath,
} from './watch/background-watch.js';

/** The foreground half of `pnpm start` (hot reload + logs), loaded only when watching. */
export async function runWatchSession(
  options: Omit<import('./watch/run-watch-session.js').WatchSessionRunOptions, 'followLogs'>,
): Promise<void> {
  const { runWatchSession: run } = await import('./watch/run-watch-session.js');
  return run({ ...options, followLogs: runLogs });
}
