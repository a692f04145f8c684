import { describe, expect, it } from 'vitest';
import { findCrashReport } from './find-crash-report.js';

const root = '/work/nexu';

/** What Node 20 prints for an error thrown at start-up, run with `--enable-source-maps`. */
const thrownAtStartup = [
  'gateway: SIGTERM received, shutting down',
  '/work/nexu/apps/gateway/src/main.ts:5',
  '  throw new Error("boom at startup");',
  '        ^',
  '',
  '',
  'Error: boom at startup',
  '    at fail (/work/nexu/apps/gateway/src/fail.ts:2:9)',
  '    at <anonymous> (/work/nexu/apps/gateway/src/main.ts:5:1)',
  '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
  '    at async ModuleLoader.import (node:internal/modules/esm/loader:606:24)',
  '',
  'Node.js v20.20.2',
];

describe('findCrashReport', () => {
  it('leads with the error message and the first frame in own code, relative to the checkout', () => {
    expect(findCrashReport(thrownAtStartup, root)).toEqual({
      message: 'Error: boom at startup',
      location: 'apps/gateway/src/fail.ts:2:9',
      lines: thrownAtStartup.slice(6, 11),
      index: 6,
    });
  });

  it('takes the last of several errors', () => {
    const lines = [
      ...thrownAtStartup,
      'TypeError: second',
      '    at file:///work/nexu/apps/web/server/x.ts:1:2',
    ];
    expect(findCrashReport(lines, root)).toMatchObject({
      message: 'TypeError: second',
      location: 'apps/web/server/x.ts:1:2',
    });
  });

  it('finds the header of a message that spans lines, below a line the service logged itself', () => {
    const lines = [
      'controller: loading config',
      'Error: line one',
      'line two',
      '    at Timeout._onTimeout (/work/nexu/apps/controller/src/config.ts:3:9)',
      '    at listOnTimeout (node:internal/timers:581:17)',
    ];
    expect(findCrashReport(lines, root)).toMatchObject({
      message: 'Error: line one',
      location: 'apps/controller/src/config.ts:3:9',
      lines: lines.slice(1),
    });
  });

  it('skips frames of Node internals and dependencies and keeps paths outside the checkout absolute', () => {
    const lines = [
      'Error: deep',
      '    at node:internal/x:1:1',
      '    at Object.<anonymous> (/work/nexu/node_modules/ws/lib/a.js:3:4)',
      '    at run (/opt/elsewhere/b.js:7:8)',
    ];
    expect(findCrashReport(lines, root)?.location).toBe('/opt/elsewhere/b.js:7:8');
    expect(findCrashReport(lines.slice(0, 3), root)?.location).toBeNull();
  });

  it('finds nothing in a log without a stack trace', () => {
    expect(findCrashReport(['fault injection: crashing on purpose'], root)).toBeUndefined();
    expect(
      findCrashReport(['a string', '(Use `node --trace-uncaught ...`)', '', 'Node.js v20.20.2']),
    ).toBeUndefined();
    expect(findCrashReport([])).toBeUndefined();
  });
});
