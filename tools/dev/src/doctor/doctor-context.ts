import { realpathSync } from 'node:fs';
import type { Checkout } from '../checkout/checkout.js';
import { previewStart, type StartPreview } from '../commands/start.js';
import { listMachineServices, type MachineService } from '../machine/machine-services.js';
import { type CommandRunner, runCommand } from '../os/command-runner.js';
import { stableNodePath } from '../os/stable-node-path.js';
import { type ReadLedgerResult, readLedger } from '../ports/ledger.js';
import { type ResolvedPlatform, resolvePlatform } from '../supervisor/platform.js';

/** What `runDoctor` may be handed instead of the machine's own facts (tests, unusual machines). */
export interface DoctorOptions {
  readonly checkout: Checkout;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: ResolvedPlatform;
  /** Runs every external command (launchctl, systemctl, loginctl); bounded by `commandTimeoutMs`. */
  readonly runner?: CommandRunner;
  /** Root of the proc filesystem (inotify limits, mounts); default `/proc`. */
  readonly procRoot?: string;
  /** The node binary a unit would run (default: the running node by its stable path). */
  readonly nodePath?: string;
  /** Longest any one external command may take (default 2 s): a hanging launchctl is a finding. */
  readonly commandTimeoutMs?: number;
}

/**
 * The facts the checks share, each found at most once per run (the checks run at once and ask the
 * same things: the start preview, the ledger, the machine's units). Nothing here changes anything.
 */
export interface DoctorContext {
  readonly checkout: Checkout;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: ResolvedPlatform;
  readonly runner: CommandRunner;
  readonly procRoot: string;
  /** The node binary a unit would run, as the unit names it. */
  readonly nodePath: string;
  /** What `pnpm start` would do now (`pnpm start --dry-run`). */
  preview(): Promise<StartPreview>;
  ledger(): Promise<ReadLedgerResult>;
  /** Every other checkout's nexu dev units on this machine. */
  machine(): Promise<{ services: MachineService[]; problems: string[] }>;
}

const once = <T>(find: () => Promise<T>): (() => Promise<T>) => {
  let found: Promise<T> | undefined;
  return () => (found ??= find());
};

/** The real path of `path`, or `path` itself when it does not resolve. */
export const realPathOf = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** Resolves the doctor's context from the options (defaults: this machine). */
export function createDoctorContext(options: DoctorOptions): DoctorContext {
  const env = options.env ?? process.env;
  const platform = options.platform ?? resolvePlatform({ env });
  const base = options.runner ?? runCommand;
  const limit = options.commandTimeoutMs ?? 2_000;
  // One answer per distinct command for the whole run: the checks ask the same preflights
  // (`systemctl --user show`, `launchctl print`) through selection, the start preview and their own
  // lines, and nothing changes in between (doctor changes nothing).
  const answers = new Map<string, ReturnType<CommandRunner>>();
  const runner: CommandRunner = (argv, run = {}) => {
    const key = JSON.stringify([argv, run.cwd ?? null, run.env?.XDG_RUNTIME_DIR ?? null]);
    let answer = answers.get(key);
    if (!answer) {
      answer = base(argv, { ...run, timeoutMs: Math.min(run.timeoutMs ?? limit, limit) });
      answers.set(key, answer);
    }
    return answer;
  };
  const { checkout } = options;
  const ask = { runner, platform };
  return {
    checkout,
    env,
    platform,
    runner,
    procRoot: options.procRoot ?? '/proc',
    nodePath: options.nodePath ?? stableNodePath(),
    preview: once(() =>
      previewStart({ checkout, ...ask, ...(env.NEXU_DEV_BACKEND ? { backend: env.NEXU_DEV_BACKEND } : {}) }),
    ),
    ledger: once(() => readLedger(checkout)),
    machine: once(() => listMachineServices({ except: checkout.id, ask })),
  };
}
