import { relative } from 'node:path';
import { type DoctorCheck, ok, warn } from './doctor-check.js';

/** Whether the ledger (`.tmp/dev/runtime.json`) is valid, as `pnpm start` reads it. */
export const checkoutLedgerCheck: DoctorCheck = {
  id: 'checkout.ledger',
  async run({ checkout, ledger }) {
    const where = relative(checkout.root, checkout.ledgerPath);
    const { ledger: valid, problem, previous } = await ledger();
    if (problem) {
      return warn(
        this.id,
        problem,
        `Nothing to do: pnpm start ignores it and writes a valid one (services it cannot prove ours are left alone; \`pnpm stop\` stops this checkout's units by their labels).`,
      );
    }
    if (previous) {
      return ok(
        this.id,
        `${where} was written at ${previous.root}: this checkout moved here, pnpm start takes its services back`,
      );
    }
    if (!valid) return ok(this.id, `no ${where} yet (nothing started)`);
    const services = Object.keys(valid.services);
    return ok(
      this.id,
      `${where} is valid: ${valid.backend}, ${services.length ? services.join(', ') : 'no service'}, updated ${valid.updatedAt}`,
    );
  },
};
