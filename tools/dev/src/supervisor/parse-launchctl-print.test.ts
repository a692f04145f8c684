import { describe, expect, it } from 'vitest';
import { readLaunchctlPrintFixture as fixture } from '../test-support/launchctl-print-fixture.js';
import { parseLaunchctlDomainServices, parseLaunchctlPrint } from './parse-launchctl-print.js';

// Every fixture is real `launchctl print` output from a public source named in its header.
describe('parseLaunchctlPrint on real launchctl output', () => {
  it('reads a running agent: its own pid, not the coalitions nested under it', () => {
    expect(parseLaunchctlPrint(fixture('mattstack-running-in-documents'))).toMatchObject({
      state: 'running',
      pid: 3246,
      runs: 1,
      lastExitCode: null,
      lastSignal: null,
      immediateReason: 'speculative',
    });
  });

  it('reads only the job environment block, not the inherited or default one', () => {
    const print = parseLaunchctlPrint(fixture('mattstack-running-in-documents'));
    expect(print?.environment).toMatchObject({ PORT: '11010', API_PORT: '11010', SERVE_STATIC: '1' });
    expect(print?.environment).not.toHaveProperty('SSH_AUTH_SOCK');
    expect(print?.environment.PATH).toMatch(/^\/Users\/tester\/.local\/bin:/);
  });

  it('reads the terminating signal that replaces the exit code line after a kill', () => {
    expect(parseLaunchctlPrint(fixture('mattstack-running-after-sigterm'))).toMatchObject({
      state: 'running',
      pid: 17594,
      runs: 103,
      lastSignal: 'SIGTERM',
      lastExitCode: null,
      immediateReason: 'inefficient',
    });
  });

  it('reads a job launchd cannot spawn, whose coalitions say `state = active`', () => {
    expect(parseLaunchctlPrint(fixture('cli-pulse-spawn-failed'))).toMatchObject({
      state: 'spawn scheduled',
      pid: null,
      runs: 22138,
      lastExitCode: 78,
      jobState: 'spawn failed',
      lastExitReason: null,
    });
  });

  it('reads a launch refused with an exit reason and no exit code', () => {
    expect(parseLaunchctlPrint(fixture('cli-pulse-codesigning-refused'))).toMatchObject({
      state: 'spawn scheduled',
      runs: 6,
      lastExitCode: null,
      lastExitReason: 'OS_REASON_CODESIGNING',
      jobState: 'spawn failed',
    });
  });

  it('reads the transient xpcproxy state of a job being spawned', () => {
    expect(parseLaunchctlPrint(fixture('cli-pulse-xpcproxy'))).toMatchObject({
      state: 'xpcproxy',
      runs: 1,
      lastExitCode: null,
    });
  });

  it('reads a running job with its previous exit code and `job state`', () => {
    expect(parseLaunchctlPrint(fixture('cli-pulse-running'))).toMatchObject({
      state: 'running',
      pid: 64011,
      lastExitCode: 0,
      jobState: 'running',
    });
  });

  it('reads a respawning KeepAlive job without a pid', () => {
    expect(parseLaunchctlPrint(fixture('mimi-respawning'))).toMatchObject({
      state: 'spawn scheduled',
      pid: null,
      runs: 17169,
      lastExitCode: 1,
    });
    expect(parseLaunchctlPrint(fixture('mimi-running'))).toMatchObject({ state: 'running', pid: 1478 });
  });

  it('reads a job that exited cleanly, past `=> {` event blocks nested three deep', () => {
    expect(parseLaunchctlPrint(fixture('motherboard-not-running'))).toMatchObject({
      state: 'not running',
      pid: null,
      runs: 3,
      lastExitCode: 0,
      environment: { XPC_SERVICE_NAME: 'com.motherboard.snapshot.retention' },
    });
  });

  it('reads the older eight-space shape, cut off mid-output', () => {
    expect(parseLaunchctlPrint(fixture('wazuh-mojave-running'))).toMatchObject({
      state: 'running',
      pid: 1486,
      runs: 3,
      lastExitCode: 0,
      immediateReason: 'one-shot',
      environment: { XPC_SERVICE_NAME: 'com.wazuh.agent' },
    });
  });

  it('returns null for a service that is not found', () => {
    expect(parseLaunchctlPrint(fixture('not-found'))).toBeNull();
  });
});

describe('parseLaunchctlDomainServices', () => {
  it('lists every job of the top-level services block with its pid (0: not running)', () => {
    const services = parseLaunchctlDomainServices(fixture('domain'));
    expect(services).toContainEqual({ label: 'io.nexu.gateway.ab12cd34.dev', pid: 12873 });
    expect(services).toContainEqual({ label: 'io.nexu.controller.ab12cd34.dev', pid: null });
    expect(services).toContainEqual({ label: 'com.apple.tonelibraryd', pid: 61949 });
    expect(services).toHaveLength(8);
  });

  it('reads nothing from other blocks (endpoints, subdomains) and nothing from a job print', () => {
    const labels = parseLaunchctlDomainServices(fixture('domain')).map((s) => s.label);
    expect(labels).not.toContain('io.nexu.gateway.ab12cd34.dev.helper');
    expect(labels).not.toContain('pid/1204');
    expect(parseLaunchctlDomainServices(fixture('mattstack-running-in-documents'))).toEqual([]);
  });
});
