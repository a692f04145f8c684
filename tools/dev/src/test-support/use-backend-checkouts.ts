import { afterEach, beforeAll, expect } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { stopServices } from '../commands/stop.js';
import { createMemoryReporter } from '../format/reporter.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { isBackendAvailable } from './backend-available.js';
import { createTempCheckout, type TempCheckout } from './temp-checkout.js';

/** What the end-to-end tests of one backend share: temp checkouts and the foreign processes they spawn. */
export interface BackendCheckouts {
  /** False when the backend cannot run here (the tests skip). */
  available(): boolean;
  /** A fresh temp checkout: stopped after the test (no marked process may be left), then removed. */
  open(name?: string): Checkout;
  /** A foreign process the test started: SIGKILLed after the test. */
  killAfter(pid: number): void;
}

/** Registers the hooks of one `describe` block of end-to-end tests on `backend`. */
export function useBackendCheckouts(backend: BackendName): BackendCheckouts {
  const opened: TempCheckout[] = [];
  const foreign: number[] = [];
  let available = true;

  beforeAll(async () => {
    available = await isBackendAvailable(backend);
  });

  afterEach(async () => {
    for (const pid of foreign.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    for (const temp of opened.splice(0)) {
      await stopServices({ checkout: temp.checkout, reporter: createMemoryReporter() });
      expect(await findMarkedProcesses(temp.checkout.id)).toEqual([]);
      temp.remove();
    }
  });

  return {
    available: () => available,
    open(name) {
      const temp = createTempCheckout({ name });
      opened.push(temp);
      return temp.checkout;
    },
    killAfter: (pid) => void foreign.push(pid),
  };
}
