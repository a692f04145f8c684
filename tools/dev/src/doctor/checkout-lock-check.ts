import { relative } from 'node:path';
import { readLockState } from '../checkout/lock.js';
import { type DoctorCheck, ok, warn } from './doctor-check.js';

/** Whether a command holds this checkout's lock (who, since when), or a dead one left it (stale). */
export const checkoutLockCheck: DoctorCheck = {
  id: 'checkout.lock',
  async run({ checkout }) {
    const where = relative(checkout.root, checkout.lockPath);
    const lock = await readLockState(checkout.lockPath);
    if (lock.state === 'free') return ok(this.id, 'no command holds the lock');
    if (lock.state === 'held') {
      const { pid, command, at } = lock.holder;
      return warn(
        this.id,
        `held by pid ${pid} (${command}) since ${at}: other commands wait for it or stop`,
        `Wait until pid ${pid} (${command}) finishes; if it hangs, end it: \`kill ${pid}\`.`,
      );
    }
    const who = lock.holder
      ? `pid ${lock.holder.pid} (${lock.holder.command}, ${lock.holder.at})`
      : 'an unreadable record';
    return warn(
      this.id,
      `stale: ${where} was left by ${who}, which is gone`,
      `Nothing to do: the next pnpm start or stop takes a stale lock over (or \`rm ${where}\`).`,
    );
  },
};
