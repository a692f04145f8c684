// Test fixture: one process racing for a checkout's lock. Prints `won` (and holds the lock until
// stdin closes) or `held`.
import type { Checkout } from '../checkout/checkout.js';
import { acquireLock } from '../checkout/lock.js';
import { LockHeldError } from '../checkout/lock-held-error.js';

const checkout = JSON.parse(process.argv[2] ?? '{}') as Checkout;
try {
  const lock = await acquireLock(checkout, { command: 'racer' });
  process.stdout.write('won\n');
  process.stdin.resume();
  process.stdin.on('end', () => void lock.release().then(() => process.exit(0)));
} catch (error) {
  process.stdout.write(error instanceof LockHeldError ? 'held\n' : `failed: ${(error as Error).message}\n`);
}
