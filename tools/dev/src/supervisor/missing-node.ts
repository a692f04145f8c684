import { realpathOrNull } from '../os/node-identity.js';
import type { ServiceStatus } from './supervisor.js';

/**
 * `status` with a note when the node its installed unit runs no longer exists (uninstalled, or
 * `brew upgrade` + cleanup, `nvm uninstall`): whatever its state, that is the first thing to know.
 */
export function noteMissingNode(status: ServiceStatus, node: string | null): ServiceStatus {
  if (node === null || realpathOrNull(node) !== null) return status;
  const note = `its node ${node} no longer exists (uninstalled?): \`pnpm start\` replaces it to run on the node you run`;
  return { ...status, reason: status.reason ? `${note}; ${status.reason}` : note };
}
