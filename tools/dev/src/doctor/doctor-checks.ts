import { backendChoiceCheck } from './backend-choice-check.js';
import { checkoutBuildsCheck } from './checkout-builds-check.js';
import { checkoutLedgerCheck } from './checkout-ledger-check.js';
import { checkoutLockCheck } from './checkout-lock-check.js';
import { checkoutStateCheck } from './checkout-state-check.js';
import { checkoutWatcherCheck } from './checkout-watcher-check.js';
import type { DoctorCheck } from './doctor-check.js';
import { launchdCheck } from './launchd-check.js';
import { machineCheck } from './machine-check.js';
import { nodeBinaryCheck } from './node-binary-check.js';
import { nodeUnitsCheck } from './node-units-check.js';
import { nodeVersionCheck } from './node-version-check.js';
import { pnpmVersionCheck } from './pnpm-version-check.js';
import { portsCheck } from './ports-check.js';
import { processCheck } from './process-check.js';
import { servicesCheck } from './services-check.js';
import { systemdCheck } from './systemd-check.js';
import { watchingCheck } from './watching-check.js';

/** Every check of `pnpm doctor`, in the order their lines are printed within a group. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  nodeVersionCheck,
  nodeBinaryCheck,
  nodeUnitsCheck,
  pnpmVersionCheck,
  backendChoiceCheck,
  launchdCheck,
  systemdCheck,
  processCheck,
  checkoutStateCheck,
  checkoutLockCheck,
  checkoutLedgerCheck,
  checkoutWatcherCheck,
  checkoutBuildsCheck,
  portsCheck,
  servicesCheck,
  machineCheck,
  watchingCheck,
];
