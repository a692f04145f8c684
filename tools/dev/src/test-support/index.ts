// Test helpers other packages use (the benchmark): throwaway checkouts of this repo.

export { type CliResult, type SpawnedCli, spawnCli } from './spawn-cli.js';
export { createTempCheckout, type TempCheckout, type TempCheckoutOptions } from './temp-checkout.js';
