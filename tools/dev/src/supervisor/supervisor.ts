/**
 * The contract every supervisor backend honours (launchd, systemd --user, process keeper).
 * The orchestration in `commands/` only ever talks to this interface; `select-supervisor.ts`
 * picks the implementation once.
 */

export type BackendName = 'launchd' | 'systemd' | 'process';

export const BACKEND_NAMES: readonly BackendName[] = ['launchd', 'systemd', 'process'];

/** Everything a backend needs to run one service of one checkout. Built from the manifest. */
export interface UnitSpec {
  /** Service name (`gateway`, ...). */
  readonly service: string;
  /** Reverse-DNS label ending in `.dev`; carries service + checkout id. */
  readonly label: string;
  /** Checkout id this unit belongs to (also in `env.NEXU_DEV_INSTANCE`). */
  readonly checkoutId: string;
  /** Absolute argv: `[<absolute node>, ...node flags, <absolute dist/main.js>]`. */
  readonly argv: readonly string[];
  /** Working directory (the service's package folder). */
  readonly cwd: string;
  /** Full environment of the service: PATH, NEXU_HOME, PORT, peers, NEXU_DEV_INSTANCE, NEXU_DEV_ROOT. */
  readonly env: Readonly<Record<string, string>>;
  /** Log file receiving both stdout and stderr (appended). */
  readonly logPath: string;
  /** TCP port the service listens on (127.0.0.1). */
  readonly port: number;
}

/** Enough to address an installed unit (also one found by `listInstalled`, with no spec at hand). */
export type UnitRef = Pick<UnitSpec, 'label' | 'service' | 'checkoutId'> & {
  /** Port to wait free on stop, when known. */
  readonly port?: number;
};

export type ServiceState = 'running' | 'starting' | 'stopped' | 'crashed' | 'not-installed';

export interface LastExit {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  /** Signal name (`SIGKILL`), or null. */
  readonly signal: string | null;
}

export interface ServiceStatus {
  readonly label: string;
  readonly state: ServiceState;
  /** Main pid reported by the supervisor, or null when none runs. */
  readonly pid: number | null;
  /**
   * The supervisor's own restarts after a failure since the last explicit start: a crash loop
   * stopped after 5 failed starts shows 4 on every backend; explicit restarts (hot reloads) are not
   * counted.
   */
  readonly restarts: number;
  readonly lastExit: LastExit | null;
  /** Why the service is `crashed` or `stopped` (crash loop, config error exit 78, ...). */
  readonly reason?: string;
}

/** A unit found on the machine by `listMachine`: any checkout's, with what it says about its checkout. */
export interface MachineUnit extends UnitRef {
  readonly backend: BackendName;
  /** `NEXU_DEV_INSTANCE` of the unit's environment (the checkout marker), or null when it has none. */
  readonly marker: string | null;
  /**
   * Root of the checkout the unit was rendered for: its `NEXU_DEV_ROOT` (units rendered before that
   * existed: derived from their `NEXU_HOME`), or null when neither says.
   */
  readonly root: string | null;
  readonly status: ServiceStatus;
}

export interface ListMachineOptions {
  /** Leave out the units of this checkout id (the caller's own, which cannot be orphaned). */
  readonly except?: string;
  /**
   * Only the units of this checkout id, leaving out the labels in `known` (what the caller read from
   * its own unit files already). A hint that spares launchd a `print` per job: a backend may still
   * return others, so the caller filters too.
   */
  readonly only?: { readonly checkoutId: string; readonly known: ReadonlySet<string> };
}

export type InstallOutcome = 'installed' | 'replaced' | 'unchanged';

export type PreflightResult =
  | {
      readonly ok: true;
      /** One line worth telling the user about how the backend will run (e.g. a launchd domain). */
      readonly notice?: string;
      /**
       * Why it may fail here after all (launchd in a privacy-protected folder): auto-selection picks
       * another backend and says this; an explicit choice runs it and says it as a warning.
       */
      readonly caveat?: string;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /** Auto-selection must not fall back to another backend either (e.g. launchd under sudo). */
      readonly final?: boolean;
    };

export interface Supervisor {
  readonly backend: BackendName;
  /** Whether this backend can run here; when not, the reason says how to fix it. */
  preflight(): Promise<PreflightResult>;
  /**
   * Writes the unit and registers it. Idempotent: an unchanged unit is a no-op; a changed unit
   * is replaced (and restarted if it was running).
   */
  install(unit: UnitSpec): Promise<InstallOutcome>;
  /** Starts an installed unit (no-op when already running). */
  start(unit: UnitRef): Promise<void>;
  /** Kills and starts now (`kickstart -k`, `systemctl restart`, keeper restart); new pid. */
  restart(unit: UnitRef): Promise<void>;
  /**
   * Stops the service and waits until its process is gone and its port is free (not for the
   * service manager's own bookkeeping: launchd drains a label for seconds after that).
   */
  stop(unit: UnitRef): Promise<void>;
  /**
   * A start (or a hot reload's restart) gave up on `unit`: stops what the supervisor would
   * otherwise retry forever (launchd's KeepAlive relaunching a program it cannot launch) and keeps
   * the reason where `status` finds it. A no-op where the supervisor stops retrying by itself.
   * Only commands that change state call it: `status` never does.
   */
  abandon(unit: UnitRef): Promise<void>;
  /** Stops if needed and removes the unit; afterwards nothing of it remains. */
  uninstall(unit: UnitRef): Promise<void>;
  /**
   * Current state as the supervisor sees it; `not-installed` for unknown units. Read-only: it never
   * stops, restarts, resets, enables or writes anything.
   */
  status(unit: UnitRef): Promise<ServiceStatus>;
  /**
   * How the installed unit differs from `unit` as it would be rendered now: null when none is
   * installed, `[]` when it is the same, else the settings that changed (`env.PORT`, `argv`, ...).
   */
  drift(unit: UnitSpec): Promise<readonly string[] | null>;
  /** Labels of every unit of `checkoutId` this backend has installed (for teardown of leftovers). */
  listInstalled(checkoutId: string): Promise<UnitRef[]>;
  /**
   * Every nexu dev unit (`io.nexu.<service>.<id>.dev`) this backend holds for this user, of any
   * checkout, read from the backend itself (unit files, launchd jobs, the keeper registry) with its
   * state: a directory read and one batched query where the backend allows it. Only `.dev` labels:
   * the packaged app's are never listed.
   */
  listMachine(options?: ListMachineOptions): Promise<MachineUnit[]>;
}
