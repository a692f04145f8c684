import { resolveCheckout } from '../checkout/checkout.js';
import { selectSupervisor } from '../supervisor/select-supervisor.js';
import type { BackendName } from '../supervisor/supervisor.js';

const answers = new Map<BackendName, Promise<boolean>>();

/**
 * Whether `backend` can run here (its preflight passes), asked once per test process. A suite on
 * a backend that cannot run is skipped, except in CI, which insists: there it throws.
 */
export function isBackendAvailable(backend: BackendName): Promise<boolean> {
  let answer = answers.get(backend);
  if (!answer) {
    // Preflight only reads: the repo's own checkout will do for asking.
    answer = selectSupervisor({ backend, checkout: resolveCheckout(import.meta.dirname) }).then(
      () => true,
      (error: Error) => {
        if (process.env.CI) throw new Error(`CI needs a reachable ${backend} backend: ${error.message}`);
        return false;
      },
    );
    answers.set(backend, answer);
  }
  return answer;
}
