import { readLockState } from '../checkout/lock.js';
import { type DoctorCheck, ok } from './doctor-check.js';

/** Whether a `pnpm start` session watches this checkout (pid, since when). */
export const checkoutWatcherCheck: DoctorCheck = {
  id: 'checkout.watcher',
  async run({ checkout }) {
    const watcher = await readLockState(checkout.watcherPath);
    if (watcher.state === 'held') {
      return ok(
        this.id,
        `pid ${watcher.holder.pid} (${watcher.holder.command}) watches since ${watcher.holder.at}`,
      );
    }
    if (watcher.state === 'stale' && watcher.holder) {
      return ok(this.id, `no session watches (pid ${watcher.holder.pid}, which watched, is gone)`);
    }
    return ok(this.id, 'no pnpm start session watches this checkout');
  },
};
