/**
 * Who a service is: its label, and whether what answers on its port is this checkout's process.
 * Every command asks here; none decides alone (which ledger a start uses: `ledgerFor`, ports/ledger.ts).
 */
import type { HealthAnswer, HealthResult } from '../health/probe-health.js';

/** A nexu dev label: `io.nexu.<service>.<8 hex digit checkout id>.dev` (the packaged app's never match). */
const DEV_LABEL = /^io\.nexu\.([a-z][a-z0-9-]*)\.([0-9a-f]{8})\.dev$/;

/** Reverse-DNS label of a service in a checkout; always ends in `.dev`. */
export function serviceLabel(service: string, checkoutId: string): string {
  return `io.nexu.${service}.${checkoutId}.dev`;
}

/** Service and checkout id of a nexu dev label; null for any other label. */
export function parseServiceLabel(label: string): { service: string; checkoutId: string } | null {
  const match = DEV_LABEL.exec(label);
  return match?.[1] && match[2] ? { service: match[1], checkoutId: match[2] } : null;
}

/** What a health answer must show to count as *our* service. */
export interface HealthExpectation {
  /** The checkout id the service must echo as `instance`. */
  instance: string;
  /** The main pid the supervisor reports, when known. */
  pid?: number | null;
  /** A pid being replaced (restart): its answers do not count. */
  replacing?: number | null;
  /** Only an answer that says it is ready counts (see `HealthAnswer.ready`). */
  ready?: boolean;
}

/** Why the answer on `port` is not our service's, in the words the commands print; undefined when it is. */
export function whyNotOurs(
  answer: HealthAnswer,
  expected: HealthExpectation,
  port: number,
): string | undefined {
  if (answer.instance !== expected.instance) {
    return `port ${port} answers for instance ${answer.instance ?? 'none'}`;
  }
  if (expected.pid != null && answer.pid !== expected.pid) {
    return `port ${port} answers from pid ${answer.pid}, not the supervisor's pid ${expected.pid}`;
  }
  if (expected.replacing != null && answer.pid === expected.replacing) {
    return `port ${port} still answers from pid ${answer.pid}`;
  }
  if (expected.ready === true && answer.ready === false) {
    return `it answers but is not ready (${answer.waitingFor ?? 'no reason given'})`;
  }
  return undefined;
}

/** Whether a probe's result is an answer of our service (the port only words a reason: any will do). */
export function answersAsOurs(
  health: HealthResult | undefined,
  expected: HealthExpectation,
): health is Extract<HealthResult, { ok: true }> {
  return health?.ok === true && whyNotOurs(health.answer, expected, 0) === undefined;
}
