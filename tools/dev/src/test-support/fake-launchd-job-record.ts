// What the fake launchd keeps of one loaded job (`<jobsDir>/<label>.json`): written by
// fake-launchctl.ts at bootstrap and by the job's runner (fake-launchd-job.ts) after every change.

/** The plist keys the fake reads. */
export interface FakePlist {
  readonly Label: string;
  readonly ProgramArguments: readonly string[];
  readonly EnvironmentVariables?: Readonly<Record<string, string>>;
  readonly WorkingDirectory?: string;
  readonly StandardOutPath?: string;
  readonly StandardErrorPath?: string;
  readonly KeepAlive?: boolean | { readonly SuccessfulExit?: boolean };
  readonly RunAtLoad?: boolean;
  readonly ThrottleInterval?: number;
  readonly ExitTimeOut?: number;
  readonly LimitLoadToSessionType?: string | readonly string[];
}

/** How the last run ended: a code, a signal (as `print` words it) or launchd's reason. */
export type FakeLastExit =
  | { readonly code: number | null }
  | { readonly signal: string }
  | { readonly reason: string };

export interface FakeJob {
  label: string;
  domain: string;
  plistPath: string;
  /** launchd's `state`: spawn scheduled, xpcproxy, running, not running, SIGTERMed. */
  state: string;
  runs: number;
  spec: FakePlist;
  /** The program's identity recorded at bootstrap (its code requirement, as the fake plays it). */
  code: string | null;
  runnerPid?: number;
  pid?: number | null;
  lastExit?: FakeLastExit | null;
  lastExitCode?: number | null;
  jobState?: string | undefined;
  immediateReason?: string;
}
