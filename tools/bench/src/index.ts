// The public surface of @nexu/bench: what `scripts/bench.ts` runs.
export { createCleanupRegistry } from './cleanup-registry.js';
export { readMachineInfo } from './machine-info.js';
export { renderBenchmarksMarkdown } from './render-benchmarks-md.js';
export { renderScenarioText } from './render-scenario.js';
export { resolveBenchBackends } from './resolve-bench-backends.js';
export { runBench, SCENARIO_GROUPS, type ScenarioGroup } from './run-bench.js';
export { type SimulatedBackend, simulatedLaunchd } from './simulated-launchd.js';
