// Test helpers other packages and scripts use (the benchmark, `pnpm test`): throwaway checkouts of
// this repo, a private systemd user manager.

export { type CliResult, type SpawnedCli, spawnCli } from './spawn-cli.js';
export { createTempCheckout, type TempCheckout, type TempCheckoutOptions } from './temp-checkout.js';
export {
  canRunSystemd,
  ensureUserManager,
  type PrivateUserManager,
  startPrivateUserManager,
  type UserManager,
  userManagerAnswers,
  userRuntimeDir,
} from './user-manager.js';
