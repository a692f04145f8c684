import { SERVICE_NAMES, type ServiceName } from '../services/manifest.js';
import { BACKEND_NAMES } from '../supervisor/supervisor.js';
import { LEDGER_VERSION, type Ledger, type LedgerEntry } from './ledger-schema.js';

export type ValidateLedgerResult =
  | { readonly ok: true; readonly ledger: Ledger }
  | { readonly ok: false; readonly reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;
const isPid = (v: unknown): v is number | null => v === null || (Number.isInteger(v) && (v as number) > 0);
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function entryProblem(name: string, raw: unknown): string | undefined {
  if (!(SERVICE_NAMES as readonly string[]).includes(name)) return `unknown service "${name}"`;
  if (!isObject(raw)) return `${name}: entry is not an object`;
  if (!isString(raw.label)) return `${name}: label missing`;
  if (!isPort(raw.port)) return `${name}: port ${JSON.stringify(raw.port)} is not a TCP port`;
  if (!isPid(raw.pid)) return `${name}: pid ${JSON.stringify(raw.pid)} is not a pid`;
  if (!(raw.startTime === null || isString(raw.startTime))) return `${name}: startTime is not a string`;
  if (!isString(raw.since)) return `${name}: since missing`;
  if (raw.mode !== 'started' && raw.mode !== 'attached') return `${name}: mode must be started or attached`;
  return undefined;
}

/** Checks untrusted JSON against the ledger schema (and, when given, this checkout's id). */
export function validateLedger(raw: unknown, checkoutId?: string): ValidateLedgerResult {
  if (!isObject(raw)) return { ok: false, reason: 'not a ledger (expected a JSON object)' };
  const { version } = raw;
  if (typeof version === 'number' && Number.isInteger(version) && version > LEDGER_VERSION) {
    return { ok: false, reason: `written by a newer nexu dev (version ${version})` };
  }
  if (version !== LEDGER_VERSION)
    return { ok: false, reason: `unknown ledger version ${JSON.stringify(version)}` };
  if (!isString(raw.checkoutId)) return { ok: false, reason: 'checkoutId missing' };
  if (checkoutId !== undefined && raw.checkoutId !== checkoutId) {
    return { ok: false, reason: `belongs to checkout ${raw.checkoutId}, not this one (${checkoutId})` };
  }
  if (!(BACKEND_NAMES as readonly unknown[]).includes(raw.backend)) {
    return { ok: false, reason: `unknown backend ${JSON.stringify(raw.backend)}` };
  }
  if (!(raw.root === undefined || isString(raw.root))) return { ok: false, reason: 'root is not a path' };
  if (!isString(raw.updatedAt)) return { ok: false, reason: 'updatedAt missing' };
  if (!isObject(raw.services)) return { ok: false, reason: 'services missing' };
  const services: Partial<Record<ServiceName, LedgerEntry>> = {};
  const owners = new Map<number, string>();
  for (const [name, entry] of Object.entries(raw.services)) {
    const problem = entryProblem(name, entry);
    if (problem) return { ok: false, reason: problem };
    const e = entry as unknown as LedgerEntry;
    const other = owners.get(e.port);
    if (other) return { ok: false, reason: `${other} and ${name} both claim port ${e.port}` };
    owners.set(e.port, name);
    services[name as ServiceName] = {
      label: e.label,
      port: e.port,
      pid: e.pid,
      startTime: e.startTime,
      since: e.since,
      mode: e.mode,
    };
  }
  return {
    ok: true,
    ledger: {
      version: LEDGER_VERSION,
      checkoutId: raw.checkoutId,
      ...(isString(raw.root) ? { root: raw.root } : {}),
      backend: raw.backend as Ledger['backend'],
      updatedAt: raw.updatedAt,
      services,
    },
  };
}
