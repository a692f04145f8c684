import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLaunchctlDomainServices, parseLaunchctlPrint } from './parse-launchctl-print.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../test-support/launchctl-print/${name}.txt`, import.meta.url), 'utf8');

describe('parseLaunchctlPrint', () => {
  it('reads a running job: its own pid, not the nested one', () => {
    const print = parseLaunchctlPrint(fixture('running'));
    expect(print).toMatchObject({
      state: 'running',
      pid: 91234,
      runs: 1,
      lastExitCode: null,
      lastSignal: null,
    });
  });

  it('reads only the top-level environment block', () => {
    const print = parseLaunchctlPrint(fixture('running'));
    expect(print?.environment).toEqual({
      NEXU_DEV_INSTANCE: 'ab12cd34',
      NEXU_HOME: '/Users/dev/nexu dev/.tmp/dev/nexu-home',
      PORT: '18789',
      XPC_SERVICE_NAME: 'io.nexu.gateway.ab12cd34.dev',
    });
  });

  it('reads a stopped job with a `78: EX_CONFIG` exit and no pid', () => {
    expect(parseLaunchctlPrint(fixture('not-running'))).toMatchObject({
      state: 'not running',
      pid: null,
      runs: 3,
      lastExitCode: 78,
    });
  });

  it('reads a job that never exited', () => {
    expect(parseLaunchctlPrint(fixture('never-exited'))).toMatchObject({
      state: 'spawn scheduled',
      pid: null,
      runs: 0,
      lastExitCode: null,
    });
  });

  it('reads a throttled crash loop', () => {
    expect(parseLaunchctlPrint(fixture('crash-loop'))).toMatchObject({
      runs: 147,
      lastExitCode: 1,
      immediateReason: 'inefficient',
    });
  });

  it('reads a job being booted out and its terminating signal', () => {
    expect(parseLaunchctlPrint(fixture('sigtermed'))).toMatchObject({
      state: 'SIGTERMed',
      pid: 91234,
      lastExitCode: 0,
      lastSignal: 'SIGTERM',
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
    expect(parseLaunchctlDomainServices(fixture('running'))).toEqual([]);
  });
});
