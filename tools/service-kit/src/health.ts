/** Who a running service is; echoed by `/health` and runtime endpoints. */
export interface ServiceIdentity {
  readonly service: string;
  readonly pid: number;
  /** ISO-8601 time the server was created. */
  readonly startedAt: string;
  readonly instance: string | null;
  /** The app's `REVISION` constant (the hot-reload tests edit it). */
  readonly revision: number;
}

/** The identity of this process, created now. */
export function createIdentity(service: string, instance: string | null, revision: number): ServiceIdentity {
  return { service, pid: process.pid, startedAt: new Date().toISOString(), instance, revision };
}

/**
 * Whether a live service can do its work yet: the controller is not until its gateway link is up.
 * A service without peers it needs is ready once it answers.
 */
export interface Readiness {
  readonly ready: boolean;
  /** What it still waits for, when not ready (`gateway link connecting`). */
  readonly waitingFor?: string;
}

/**
 * Body of `GET /health`: `{ ok: true, service, pid, startedAt, instance, revision, ready }` (and
 * `waitingFor` while not ready). `ok` says the process is up and whose it is; `ready` that a request
 * to it now gets a real answer.
 */
export function healthPayload(
  identity: ServiceIdentity,
  readiness: Readiness = { ready: true },
): { ok: true } & ServiceIdentity & Readiness {
  return {
    ok: true,
    service: identity.service,
    pid: identity.pid,
    startedAt: identity.startedAt,
    instance: identity.instance,
    revision: identity.revision,
    ready: readiness.ready,
    ...(readiness.ready || readiness.waitingFor === undefined ? {} : { waitingFor: readiness.waitingFor }),
  };
}
