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

/** Body of `GET /health`: `{ ok: true, service, pid, startedAt, instance, revision }`. */
export function healthPayload(identity: ServiceIdentity): { ok: true } & ServiceIdentity {
  return {
    ok: true,
    service: identity.service,
    pid: identity.pid,
    startedAt: identity.startedAt,
    instance: identity.instance,
    revision: identity.revision,
  };
}
