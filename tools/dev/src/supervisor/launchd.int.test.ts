import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { teardownUnits } from '../commands/teardown.js';
import { createMemoryReporter } from '../format/reporter.js';
import type { CommandRunner } from '../os/command-runner.js';
import { runCommand } from '../os/command-runner.js';
import { isProcessAlive } from '../os/process-identity.js';
import { installChangedUnits } from '../plan/execute-step.js';
import {
  createContractCheckout,
  FIXTURE_SERVICE,
  fixtureUnit,
  waitForHealthy,
  waitForStatus,
} from '../test-support/contract-harness.js';
import { FAKE_LAUNCHCTL as FAKE } from '../test-support/fake-launchd-env.js';
import { launchdTestPlatform, usesFakeLaunchctl } from '../test-support/launchd-test-platform.js';
import { LaunchdSupervisor } from './launchd.js';
import type { LaunchdSessionFacts } from './launchd-domain.js';
import { resolvePlatform } from './platform.js';
import { selectSupervisor } from './select-supervisor.js';
import type { ServiceState, UnitSpec } from './supervisor.js';
import { BackendUnavailableError } from './supervisor-errors.js';

const uid = process.getuid?.() ?? 0;
const atConsole: LaunchdSessionFacts = {
  uid,
  euid: uid,
  consoleUid: uid,
  ssh: false,
  sudoUser: null,
  superuser: false,
};
const overSsh: LaunchdSessionFacts = { ...atConsole, ssh: true, consoleUid: uid === 0 ? 1 : 0 };
const KNOBS = [
  'FAKE_LAUNCHCTL_SESSION',
  'FAKE_LAUNCHCTL_AS_ROOT',
  'FAKE_LAUNCHCTL_OLD',
  'FAKE_LAUNCHCTL_PROTECTED',
  'FAKE_LAUNCHCTL_DRAIN_MS',
  'FAKE_LAUNCHCTL_XPCPROXY_MS',
  'FAKE_LAUNCHCTL_UNSIGNED',
  'FAKE_LAUNCHCTL_ONE_SESSION_TYPE',
];

// What a real Mac answers, played by the fake launchctl (docs/platform.md, "launchctl"). On a Mac
// these cannot be staged (no second console user, no TCC denial on demand): the contract suite and
// the end-to-end suites run there against the real launchctl instead.
describe.skipIf(!usesFakeLaunchctl)('launchd backend against what a Mac answers (fake launchctl)', () => {
  let temp: ReturnType<typeof createContractCheckout>;
  let stateDir: string;
  const units: UnitSpec[] = [];
  const supervisors: LaunchdSupervisor[] = [];
  const pids: number[] = [];
  const calls = () =>
    readFileSync(join(stateDir, 'calls.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string[]);
  const fake = (...args: string[]) => spawnSync(FAKE, args, { encoding: 'utf8' });
  /** The fake's timed log: every call (`args`) and every label whose drain ended (`unloaded`). */
  const events = () =>
    readFileSync(join(stateDir, 'events.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { at: number; args?: string[]; unloaded?: string });
  const loadedJobs = () => {
    try {
      return spawnSync('ls', [join(stateDir, 'jobs')], { encoding: 'utf8' }).stdout.trim();
    } catch {
      return '';
    }
  };

  beforeAll(() => {
    temp = createContractCheckout();
    stateDir = join(temp.checkout.stateDir, 'fake-launchd');
    mkdirSync(stateDir, { recursive: true });
    process.env.FAKE_LAUNCHCTL_STATE = stateDir;
  });
  const create = (
    options: { session?: LaunchdSessionFacts; runner?: CommandRunner; unitsDir?: string; home?: string } = {},
  ) => {
    const supervisor = new LaunchdSupervisor({
      unitsDir: options.unitsDir ?? temp.checkout.unitsDir,
      platform: launchdTestPlatform({
        session: options.session ?? atConsole,
        ...(options.home ? { home: options.home } : {}),
      }),
      ...(options.runner ? { runner: options.runner } : {}),
      timeoutMs: 8_000,
    });
    supervisors.push(supervisor);
    return supervisor;
  };
  const unitFor = async (service: string, options: Parameters<typeof fixtureUnit>[2] = {}) => {
    const unit = await fixtureUnit(temp.checkout, service, options);
    units.push(unit);
    return unit;
  };
  const startHealthy = async (supervisor: LaunchdSupervisor, unit: UnitSpec) => {
    await supervisor.install(unit);
    await supervisor.start(unit);
    const { health } = await waitForHealthy(supervisor, unit);
    pids.push(health.pid);
    return health;
  };

  // The knobs as the suite's config set them (the drain: vitest.config.ts).
  const knobs = Object.fromEntries(KNOBS.map((key) => [key, process.env[key]]));
  afterEach(async () => {
    for (const key of KNOBS) {
      if (knobs[key] === undefined) delete process.env[key];
      else process.env[key] = knobs[key];
    }
    const cleaner = create();
    for (const unit of units.splice(0)) await cleaner.uninstall(unit);
    for (const pid of pids.splice(0)) expect(isProcessAlive(pid)).toBe(false);
    // stop returns while launchd still unloads the labels: they go once their drains end.
    expect((await waitFor(() => loadedJobs() === '', { timeoutMs: 8000 })).ok).toBe(true);
  });
  afterAll(() => temp?.remove());

  it('writes the plist owned by the user and not group/world writable', async () => {
    const unit = await unitFor('perms');
    await create().install(unit);
    const stat = statSync(join(temp.checkout.unitsDir, `${unit.label}.plist`));
    expect(stat.mode & 0o022).toBe(0);
    expect(stat.uid).toBe(uid);
  });

  it('enables only a label that print-disabled lists, also when starting an unchanged plist', async () => {
    const supervisor = create();
    const unit = await unitFor('disabled');
    await startHealthy(supervisor, unit);
    // A normal start writes nothing into launchd's permanent override database.
    expect(calls().filter(([verb]) => verb === 'enable')).toEqual([]);
    await supervisor.stop(unit);
    expect(fake('disable', `gui/${uid}/${unit.label}`).status).toBe(0);
    const before = calls().length;
    await supervisor.start(unit); // the plist is unchanged: install is not called again
    await startHealthy(supervisor, unit);
    const verbs = calls()
      .slice(before)
      .map((argv) => argv.slice(0, 2).join(' '));
    expect(verbs).toContain(`print-disabled gui/${uid}`);
    expect(verbs.filter((verb) => verb.startsWith('enable'))).toEqual([`enable gui/${uid}/${unit.label}`]);
  });

  it('retries bootstrap while a previous bootout is still draining', async () => {
    // A Mac's longest drain (it counts from the bootout): the start below must meet it, also on a
    // slow machine.
    process.env.FAKE_LAUNCHCTL_DRAIN_MS = '5000';
    const supervisor = create();
    const unit = await unitFor('drain');
    await startHealthy(supervisor, unit);
    expect(fake('bootout', `gui/${uid}/${unit.label}`).status).toBe(0);
    // bootout returns before the job is gone: wait until launchd shows it draining.
    const draining = await waitFor(() =>
      fake('print', `gui/${uid}/${unit.label}`).stdout.includes('state = SIGTERMed'),
    );
    expect(draining.ok).toBe(true);
    // A second bootout while it drains answers 36; stop takes that as under way.
    expect(fake('bootout', `gui/${uid}/${unit.label}`).status).toBe(36);
    const before = calls().length;
    await supervisor.start(unit);
    pids.push((await waitForHealthy(supervisor, unit)).health.pid);
    expect(
      calls()
        .slice(before)
        .filter(([verb]) => verb === 'bootstrap').length,
    ).toBeGreaterThan(1);
  });

  it('diagnoses a plist launchd refuses with 5 at once instead of retrying it as a drain', async () => {
    const supervisor = create();
    const unit = await unitFor('badperms');
    await supervisor.install(unit);
    chmodSync(join(temp.checkout.unitsDir, `${unit.label}.plist`), 0o666);
    const before = calls().length;
    const error = await supervisor.start(unit).catch((e: Error) => e);
    expect(String(error)).toMatch(
      /answered 5[\s\S]*not owned by you or is group\/world writable[\s\S]*chmod 600/,
    );
    expect(
      calls()
        .slice(before)
        .filter(([verb]) => verb === 'bootstrap'),
    ).toHaveLength(2);
  });

  it("names root's richer code (122) with its advice", async () => {
    process.env.FAKE_LAUNCHCTL_AS_ROOT = '1';
    const supervisor = create();
    const unit = await unitFor('rootperms');
    await supervisor.install(unit);
    chmodSync(join(temp.checkout.unitsDir, `${unit.label}.plist`), 0o666);
    await expect(supervisor.start(unit)).rejects.toThrow(/exited with 122[\s\S]*chmod 600/);
  });

  it('takes 17 (File exists, older launchd) as already loaded', async () => {
    process.env.FAKE_LAUNCHCTL_OLD = '1';
    const unit = await unitFor('older');
    const label = `gui/${uid}/${unit.label}`;
    // Another command loads the label between this one's `print` and its `bootstrap`.
    let raced = false;
    const racing: CommandRunner = async (argv, options) => {
      if (!raced && argv[1] === 'bootstrap') {
        raced = true;
        await runCommand(argv, options);
      }
      return runCommand(argv, options);
    };
    const supervisor = create({ runner: racing });
    await supervisor.install(unit);
    await supervisor.start(unit);
    pids.push((await waitForHealthy(supervisor, unit)).health.pid);
    expect(fake('print', label).status).toBe(0);
  });

  it('reports the transient xpcproxy state as starting, never stopped', async () => {
    process.env.FAKE_LAUNCHCTL_XPCPROXY_MS = '1500';
    const supervisor = create();
    const unit = await unitFor('xpcproxy');
    await supervisor.install(unit);
    await supervisor.start(unit);
    const seen = new Set<ServiceState>();
    const status = await waitForStatus(supervisor, unit, (s) => {
      seen.add(s.state);
      return s.state === 'running';
    });
    pids.push(status.pid!);
    expect([...seen]).toEqual(['starting', 'running']);
  });

  it('reports a program launchd cannot launch as crashed with the likely cause; only abandon boots it out', async () => {
    const supervisor = create();
    const unit = {
      ...(await unitFor('nonode')),
      argv: [join(temp.checkout.root, 'no-such-node'), FIXTURE_SERVICE],
    };
    await supervisor.install(unit);
    await supervisor.start(unit);
    const status = await waitForStatus(supervisor, unit, (s) => s.state === 'crashed');
    expect(status.reason).toMatch(
      /^launchd could not launch it \(last exit code = 78: EX_CONFIG, job state = spawn failed\); .+no-such-node does not exist any more/,
    );
    // status reads: the job stays loaded (KeepAlive retrying) until a start gives up on it.
    expect(fake('print', `gui/${uid}/${unit.label}`).status).toBe(0);
    await supervisor.abandon(unit);
    await waitFor(() => fake('print', `gui/${uid}/${unit.label}`).status === 113);
    expect(await supervisor.status(unit)).toMatchObject({ state: 'crashed', reason: status.reason });
  });

  it('reports a program launchd refuses to exec (`last exit reason = OS_REASON_EXEC`) as crashed', async () => {
    const supervisor = create();
    const program = join(temp.checkout.root, 'not-executable');
    writeFileSync(program, '#!/bin/sh\n', { mode: 0o644 });
    const unit = { ...(await unitFor('noexec')), argv: [program, FIXTURE_SERVICE] };
    await supervisor.install(unit);
    await supervisor.start(unit);
    const status = await waitForStatus(supervisor, unit, (s) => s.state === 'crashed');
    expect(status.reason).toMatch(
      /^launchd could not launch it \(last exit reason = OS_REASON_EXEC\); macOS refused to execute .+not-executable \(exec or AMFI policy\)/,
    );
  });

  it('recognises a log launchd may not open (a protected folder): 78 with no guard record', async () => {
    process.env.FAKE_LAUNCHCTL_PROTECTED = temp.checkout.logsDir;
    const supervisor = create();
    const unit = await unitFor('tcclog');
    await supervisor.install(unit);
    await supervisor.start(unit);
    const status = await waitForStatus(supervisor, unit, (s) => s.state === 'crashed');
    expect(status.reason).toMatch(/^launchd could not launch it \(last exit code = 78: EX_CONFIG\)/);
  });

  it('recognises node dying before the guard loads (its files unreadable) instead of looping forever', async () => {
    process.env.FAKE_LAUNCHCTL_PROTECTED = join(FIXTURE_SERVICE, '..');
    const supervisor = create();
    const unit = await unitFor('tccentry');
    await supervisor.install(unit);
    await supervisor.start(unit);
    const status = await waitForStatus(supervisor, unit, (s) => s.state === 'crashed');
    expect(status.reason).toMatch(/^node exited 1 in \d+ spawns before the crash-loop guard loaded/);
    await waitFor(() => fake('print', `gui/${uid}/${unit.label}`).status === 113);
  });

  it('chooses user/<uid> over SSH up front, records it, and later commands find the job there', async () => {
    process.env.FAKE_LAUNCHCTL_SESSION = 'ssh';
    const notices: string[] = [];
    const overSshSupervisor = await selectSupervisor({
      backend: 'launchd',
      checkout: temp.checkout,
      platform: launchdTestPlatform({ session: overSsh }),
      onNotice: (line) => notices.push(line),
    });
    expect(notices).toEqual([
      `launchd: using user/${uid} (over SSH ${overSsh.consoleUid === 0 ? 'with nobody logged in at the console' : 'while another user owns the console'}).`,
    ]);
    const unit = await unitFor('ssh');
    await overSshSupervisor.install(unit);
    await overSshSupervisor.start(unit);
    pids.push((await waitForHealthy(overSshSupervisor, unit)).health.pid);
    expect(calls()).toContainEqual([
      'bootstrap',
      `user/${uid}`,
      join(temp.checkout.unitsDir, `${unit.label}.plist`),
    ]);
    // Back at the console, a status or stop looks where the job is, not in gui/<uid>.
    delete process.env.FAKE_LAUNCHCTL_SESSION;
    const atDesk = create();
    expect(await atDesk.status(unit)).toMatchObject({ state: 'running' });
    await atDesk.stop(unit);
    // stop returns while launchd still unloads the label there; then it is gone.
    expect((await waitFor(() => fake('print', `user/${uid}/${unit.label}`).status === 113)).ok).toBe(true);
  });

  it('switches to user/<uid> when gui/<uid> is missing after all (112), and says so', async () => {
    process.env.FAKE_LAUNCHCTL_SESSION = 'ssh';
    const supervisor = create();
    const preflight = await supervisor.preflight();
    expect(preflight).toEqual({
      ok: true,
      notice: `launchd: using user/${uid} (\`launchctl print gui/${uid}\` answered 112: no GUI session).`,
    });
    const unit = await unitFor('nogui');
    await startHealthy(supervisor, unit);
  });

  it('falls back to the process backend for a checkout in a protected folder; an explicit choice tries launchd and says why it may fail', async () => {
    const home = join(temp.checkout.stateDir, 'home');
    const unitsDir = join(home, 'Documents', 'GitHub', 'nexu', '.tmp', 'dev', 'units');
    const platform = launchdTestPlatform({ session: atConsole, home });
    const reasons: string[] = [];
    const auto = await selectSupervisor({
      checkout: { unitsDir },
      platform,
      env: {},
      onFallback: (reason) => reasons.push(reason),
    });
    expect(auto.backend).toBe('process');
    expect(reasons).toEqual([
      expect.stringMatching(
        /^Using the process backend: LaunchAgents cannot read ~\/Documents without a privacy grant: add .+ under System Settings > Privacy & Security > Full Disk Access \(or Files and Folders\), or move the checkout out of ~\/Documents\.$/,
      ),
    ]);
    const notices: string[] = [];
    for (const env of [{}, { NEXU_DEV_BACKEND: 'launchd' }]) {
      const explicit = await selectSupervisor({
        ...('NEXU_DEV_BACKEND' in env ? {} : { backend: 'launchd' }),
        checkout: { unitsDir },
        platform,
        env,
        onNotice: (line) => notices.push(line),
      });
      expect(explicit.backend).toBe('launchd');
    }
    expect(notices).toEqual([
      expect.stringMatching(
        /^warning: launchd as asked, but LaunchAgents cannot read ~\/Documents .+Full Disk Access/,
      ),
      expect.stringMatching(/^warning: launchd as asked/),
    ]);
  });

  it('refuses sudo (root, or uid != euid) with one line on launchd, also when chosen automatically; --backend process runs', async () => {
    const asRoot: LaunchdSessionFacts = { ...atConsole, euid: 0, sudoUser: 'dev', superuser: true };
    const platform = launchdTestPlatform({ session: asRoot });
    const refusal =
      /^The launchd backend is not available here: refusing to run launchd agents through sudo \(as dev\): they would be root's agents and leave root-owned files in the checkout; run `pnpm start` as yourself, without sudo \(or pass `--backend process`\)\.$/;
    const fallbacks: string[] = [];
    for (const backend of ['launchd', undefined]) {
      const refused = await selectSupervisor({
        ...(backend ? { backend } : {}),
        checkout: temp.checkout,
        platform,
        env: {},
        onFallback: (line) => fallbacks.push(line),
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(BackendUnavailableError);
      expect((refused as Error).message.split('\n')).toHaveLength(1);
      expect((refused as Error).message).toMatch(refusal);
    }
    expect(fallbacks).toEqual([]);
    const setuid = launchdTestPlatform({ session: { ...atConsole, euid: uid + 1, superuser: true } });
    await expect(
      selectSupervisor({ backend: 'launchd', checkout: temp.checkout, platform: setuid }),
    ).rejects.toThrow(/with uid \d+ and euid \d+/);
    const process = await selectSupervisor({ backend: 'process', checkout: temp.checkout, platform });
    expect(process.backend).toBe('process');
  });

  /** A `node` of its own (a script that runs this node), which a test can replace as an upgrade would. */
  const ownNode = (name: string) => {
    const dir = join(temp.checkout.root, name);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'node');
    writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
    return path;
  };
  /** Replaces a file with a new one (a new inode), as `brew upgrade` or a copy over a binary does. */
  const swap = (path: string) => {
    writeFileSync(`${path}.new`, readFileSync(path), { mode: 0o755 });
    renameSync(`${path}.new`, path);
  };
  const printOf = (domain: string, label: string) => fake('print', `${domain}/${label}`);

  it('re-bootstraps once a job whose node was swapped under it (OS_REASON_CODESIGNING) and says why', async () => {
    const lines: string[] = [];
    const supervisor = new LaunchdSupervisor({
      unitsDir: temp.checkout.unitsDir,
      platform: launchdTestPlatform({ session: atConsole }),
      timeoutMs: 8_000,
      notify: (line) => lines.push(line),
    });
    const node = ownNode('cellar-a');
    const unit = { ...(await unitFor('codesign')), argv: [node, FIXTURE_SERVICE] };
    const first = await startHealthy(supervisor, unit);
    // node upgraded under the loaded job, then the service dies: every respawn is refused.
    swap(node);
    process.kill(first.pid, 'SIGKILL');
    const refused = await waitForStatus(supervisor, unit, (s) => s.state === 'crashed');
    expect(refused.reason).toMatch(/OS_REASON_CODESIGNING\); launchd refused .+node's code signature/);
    const before = calls().length;
    await supervisor.start(unit);
    const health = await waitForHealthy(supervisor, unit);
    pids.push(health.health.pid);
    expect(lines).toEqual([
      "codesign: launchd refused node's code signature (last exit reason = OS_REASON_CODESIGNING, as after a node upgrade): loading the job anew",
    ]);
    const verbs = calls()
      .slice(before)
      .map(([verb]) => verb);
    // Loaded anew once: one bootout (a bootstrap that meets its drain is retried, so may be counted twice).
    expect(verbs.filter((verb) => verb === 'bootout')).toHaveLength(1);
    expect(verbs).toContain('bootstrap');
    expect(verbs).not.toContain('kickstart');
  });

  it('fails with the reason when node is refused again after loading the job anew, and stops the retries', async () => {
    const lines: string[] = [];
    const supervisor = new LaunchdSupervisor({
      unitsDir: temp.checkout.unitsDir,
      platform: launchdTestPlatform({ session: atConsole }),
      timeoutMs: 8_000,
      notify: (line) => lines.push(line),
    });
    const node = ownNode('cellar-bad');
    const unit = { ...(await unitFor('unsigned')), argv: [node, FIXTURE_SERVICE] };
    process.env.FAKE_LAUNCHCTL_UNSIGNED = node;
    await supervisor.install(unit);
    await supervisor.start(unit);
    await waitForStatus(supervisor, unit, (s) => s.state === 'crashed');
    const error = await supervisor.start(unit).catch((e: Error) => e);
    expect(lines).toHaveLength(1);
    expect(String(error)).toMatch(
      /Unable to start unsigned: launchd could not launch it again after loading the job anew \(last exit reason = OS_REASON_CODESIGNING\); .+reinstall node/,
    );
    await waitFor(() => printOf(`gui/${uid}`, unit.label).status === 113);
    expect(await supervisor.status(unit)).toMatchObject({
      state: 'crashed',
      reason: expect.stringMatching(/again after loading the job anew/),
    });
  });

  it('reports an idle job (`not running`, a failed last exit, no pid) as stopped with that exit', async () => {
    const supervisor = create();
    const unit = await unitFor('idle');
    const path = join(temp.checkout.unitsDir, `${unit.label}.plist`);
    // An on-demand job (no KeepAlive) that ran once and exited 3: launchd leaves it idle.
    writeFileSync(
      path,
      `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>Label</key><string>${unit.label}</string>
<key>ProgramArguments</key><array><string>/bin/sh</string><string>-c</string><string>exit 3</string></array>
<key>RunAtLoad</key><true/>
<key>LimitLoadToSessionType</key><array><string>Aqua</string><string>Background</string></array>
</dict></plist>
`,
      { mode: 0o600 },
    );
    expect(fake('bootstrap', `gui/${uid}`, path).status).toBe(0);
    // Until launchd reports the exit: before the spawn it is `spawn scheduled` (starting).
    const status = await waitForStatus(supervisor, unit, (s) => s.lastExit !== null);
    expect(status).toMatchObject({ state: 'stopped', reason: 'exited 3', lastExit: { code: 3 } });
  });

  it('tries launchd in a protected folder when asked, and diagnoses the privacy refusal (126, getcwd) when the job fails', async () => {
    const home = join(temp.checkout.stateDir, 'home');
    const unitsDir = join(home, 'Documents', 'nexu', '.tmp', 'dev', 'units');
    mkdirSync(unitsDir, { recursive: true });
    const supervisor = create({ unitsDir, session: atConsole, home });
    const cwd = join(temp.checkout.root, 'apps-in-documents');
    mkdirSync(cwd, { recursive: true });
    const unit = { ...(await unitFor('tcccwd')), cwd };
    // The service's working directory lies in the protected folder: the job starts and exits 126.
    process.env.FAKE_LAUNCHCTL_PROTECTED = cwd;
    await supervisor.install(unit);
    await supervisor.start(unit);
    const status = await waitForStatus(supervisor, unit, (s) => s.state === 'crashed');
    expect(status.reason).toMatch(
      /^node exited 126 in \d+ spawns before the crash-loop guard loaded; the job cannot read its files: macOS privacy refused it \(the checkout is in ~\/Documents\)\. .+Full Disk Access.+a grant is tied to the binary and lost when Homebrew upgrades node$/,
    );
    expect(readFileSync(unit.logPath, 'utf8')).toMatch(/getcwd: .*Operation not permitted/);
    await supervisor.uninstall(unit);
  });

  it('advises on 125 for a headless Mac and a Background-session caller, not only another console user', async () => {
    const supervisor = create();
    const unit = await unitFor('headless');
    await startHealthy(supervisor, unit);
    // Later, over SSH on a Mac nobody is logged in at (after a reboot): the GUI domain answers 125.
    process.env.FAKE_LAUNCHCTL_SESSION = 'headless';
    const error = await create()
      .status(unit)
      .catch((e: Error) => e);
    expect(String(error)).toMatch(
      /125[\s\S]*headless Mac with nobody logged in at the console[\s\S]*Background session/,
    );
    delete process.env.FAKE_LAUNCHCTL_SESSION;
  });

  it('retries a bootstrap refused (5) for a plist listing two session types once with the one the domain takes', async () => {
    process.env.FAKE_LAUNCHCTL_ONE_SESSION_TYPE = '1';
    const lines: string[] = [];
    const supervisor = new LaunchdSupervisor({
      unitsDir: temp.checkout.unitsDir,
      platform: launchdTestPlatform({ session: atConsole }),
      timeoutMs: 8_000,
      notify: (line) => lines.push(line),
    });
    const unit = await unitFor('sessions');
    await startHealthy(supervisor, unit);
    const plistText = readFileSync(join(temp.checkout.unitsDir, `${unit.label}.plist`), 'utf8');
    expect(plistText).toMatch(/<key>LimitLoadToSessionType<\/key>\s*<string>Aqua<\/string>/);
    expect(lines).toEqual([expect.stringMatching(/LimitLoadToSessionType = Aqua/)]);
    // The narrowed plist is the unit as rendered: the next start attaches.
    expect(await supervisor.drift(unit)).toEqual([]);
    expect(await supervisor.install(unit)).toBe('unchanged');
  });

  it.each([
    ['113 (recent launchd)', undefined],
    ['3 (older launchd)', '1'],
  ])('takes bootout %s for a label gone meanwhile as stopped', async (_name, old) => {
    if (old) process.env.FAKE_LAUNCHCTL_OLD = old;
    const unit = await unitFor(old ? 'goneold' : 'gone');
    const target = `gui/${uid}/${unit.label}`;
    // The label's drain ends between this command's `print` and its `bootout`.
    const racing: CommandRunner = async (argv, options) => {
      if (argv[1] === 'bootout') {
        await runCommand([FAKE, 'bootout', target], options);
        await waitFor(() => fake('print', target).status === 113, { timeoutMs: 8000 });
      }
      return runCommand(argv, options);
    };
    await startHealthy(create(), unit);
    await create({ runner: racing }).stop(unit);
    const answers = calls().filter(([verb, t]) => verb === 'bootout' && t === target);
    expect(answers).toHaveLength(2);
    expect(fake('bootout', target).status).toBe(old ? 3 : 113);
  });

  it('stop returns while launchd still unloads the label; status says so; an immediate start waits for the drain', async () => {
    // A Mac's longest drain: the point of this test is what happens during it (the start below must
    // meet it even on a slow machine).
    process.env.FAKE_LAUNCHCTL_DRAIN_MS = '5000';
    const supervisor = create();
    const unit = await unitFor('stopstart');
    const first = await startHealthy(supervisor, unit);
    await supervisor.stop(unit);
    // The process is gone and the port free, the label still loaded (being unloaded).
    expect(isProcessAlive(first.pid)).toBe(false);
    expect(printOf(`gui/${uid}`, unit.label).stdout).toMatch(/state = SIGTERMed/);
    expect(await supervisor.status(unit)).toMatchObject({
      state: 'stopped',
      pid: null,
      reason: 'launchd is still unloading it',
    });
    const before = calls().length;
    await supervisor.start(unit);
    pids.push((await waitForHealthy(supervisor, unit)).health.pid);
    const after = calls().slice(before);
    // The bootstrap met the drain (5 while print lists the label) and retried until it ended.
    expect(after.filter(([verb]) => verb === 'bootstrap').length).toBeGreaterThan(1);
  });

  it('replacing three changed units boots them all out before any drain ends (one drain, not three)', async () => {
    // A Mac's drain, so that three drains in a row could not overlap by chance.
    process.env.FAKE_LAUNCHCTL_DRAIN_MS = '3000';
    const supervisor = create();
    const services = ['gatewayr', 'controllerr', 'webr'];
    const started = await Promise.all(services.map((name) => unitFor(name)));
    for (const unit of started) await startHealthy(supervisor, unit);
    const changed = started.map((unit) => ({ ...unit, env: { ...unit.env, FIXTURE_GREETING: 'changed' } }));
    const eventsBefore = events().length;
    const outcomes = await installChangedUnits(
      changed.map((unit) => ({ spec: { name: unit.service }, unit, install: true, stale: null }) as never),
      supervisor,
    );
    expect([...outcomes.values()]).toEqual(['replaced', 'replaced', 'replaced']);
    for (const unit of changed) pids.push((await waitForHealthy(supervisor, unit)).health.pid);
    const labels = new Set(changed.map((unit) => unit.label));
    const during = events().slice(eventsBefore);
    const bootouts = during.filter(
      (e) => e.args?.[0] === 'bootout' && labels.has(e.args[1]!.split('/').pop()!),
    );
    const unloaded = during.filter((e) => e.unloaded !== undefined && labels.has(e.unloaded));
    expect(bootouts).toHaveLength(3);
    expect(unloaded).toHaveLength(3);
    // Every bootout was issued before the first of the three drains ended: they drained together.
    expect(Math.max(...bootouts.map((e) => e.at))).toBeLessThan(Math.min(...unloaded.map((e) => e.at)));
  });

  it('a stop of a checkout asks launchctl for the domain once and boots every job out at once, nothing more', async () => {
    const started = await Promise.all(['gateway', 'controller', 'web'].map((name) => unitFor(name)));
    for (const unit of started) await startHealthy(create(), unit);
    // A new command: its preflight lists the domain, and the stop reuses that listing for the pids
    // it waits for. A plist for every service leaves no job of this checkout to search for.
    const stopper = create();
    const before = calls().length;
    expect((await stopper.preflight()).ok).toBe(true);
    const stopped = await teardownUnits(stopper, temp.checkout.id, createMemoryReporter());
    expect(stopped.sort()).toEqual(started.map((unit) => unit.label).sort());
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
    expect(calls().slice(before).sort()).toEqual(
      [['print', `gui/${uid}`], ...started.map((unit) => ['bootout', `gui/${uid}/${unit.label}`])].sort(),
    );
  });

  it('is unavailable off macOS unless NEXU_DEV_LAUNCHCTL names a stand-in launchctl', async () => {
    const linux = new LaunchdSupervisor({
      unitsDir: '/x',
      platform: resolvePlatform({ platform: 'linux', env: {} }),
    });
    expect(await linux.preflight()).toMatchObject({ ok: false, reason: expect.stringMatching(/macOS/) });
    const stand = new LaunchdSupervisor({
      unitsDir: '/x',
      platform: resolvePlatform({ platform: 'linux', env: { NEXU_DEV_LAUNCHCTL: FAKE } }),
    });
    expect(await stand.preflight()).toEqual({ ok: true });
  });
});
