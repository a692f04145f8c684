import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCrashFolder } from './fold-repeated-crashes.js';

const crash = (message = 'boom at startup') => [
  '/work/nexu/apps/gateway/src/main.ts:5',
  `  throw new Error("${message}");`,
  '        ^',
  '',
  '',
  `Error: ${message}`,
  '    at fail (/work/nexu/apps/gateway/src/fail.ts:2:9)',
  '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
  '',
  'Node.js v20.20.2',
];

function fold(options: { holdMs?: number; quietMs?: number } = {}) {
  const printed: string[] = [];
  const folder = createCrashFolder({
    emit: ({ service, line }) => printed.push(`${service} | ${line}`),
    ...options,
  });
  const push = (service: string, lines: readonly string[]) => {
    for (const line of lines) folder.push({ service, line });
  };
  return { printed, folder, push };
}

const tagged = (service: string, lines: readonly string[]) => lines.map((line) => `${service} | ${line}`);

afterEach(() => {
  vi.useRealTimers();
});

describe('createCrashFolder', () => {
  it('prints a crash repeated on every start once, then how often it happened', () => {
    const { printed, folder, push } = fold();
    push('gateway', ['gateway: SIGTERM received, shutting down']);
    for (let i = 0; i < 5; i++) push('gateway', crash());
    folder.close();
    expect(printed).toEqual([
      'gateway | gateway: SIGTERM received, shutting down',
      ...tagged('gateway', crash()),
      'gateway | the same crash 4 more times (5 in a row; shown once above)',
    ]);
  });

  it('prints the count once the repeats stop, before what the service prints next', () => {
    vi.useFakeTimers();
    const { printed, folder, push } = fold({ quietMs: 1500 });
    for (let i = 0; i < 3; i++) push('gateway', crash());
    expect(printed).toHaveLength(crash().length);
    vi.advanceTimersByTime(1500);
    expect(printed.at(-1)).toBe('gateway | the same crash 2 more times (3 in a row; shown once above)');
    push('gateway', crash());
    push('gateway', ['gateway listening on http://127.0.0.1:1 (pid 9)']);
    expect(printed.slice(-2)).toEqual([
      'gateway | the same crash 3 more times (4 in a row; shown once above)',
      'gateway | gateway listening on http://127.0.0.1:1 (pid 9)',
    ]);
    folder.close();
  });

  it('prints a different crash in full', () => {
    const { printed, folder, push } = fold();
    push('gateway', crash('first'));
    push('gateway', crash('second'));
    folder.close();
    expect(printed).toEqual(tagged('gateway', [...crash('first'), ...crash('second')]));
  });

  it('keeps services apart', () => {
    const { printed, folder, push } = fold();
    push('gateway', crash());
    push('controller', crash());
    push('gateway', crash());
    folder.close();
    expect(printed).toEqual([
      ...tagged('gateway', crash()),
      ...tagged('controller', crash()),
      'gateway | the same crash 1 more time (2 in a row; shown once above)',
    ]);
  });

  it('prints held lines that turn out not to repeat the crash, in order, at the latest after the hold time', () => {
    vi.useFakeTimers();
    const { printed, folder, push } = fold({ holdMs: 1000 });
    push('gateway', crash());
    const before = printed.length;
    push('gateway', ['', '']);
    expect(printed).toHaveLength(before);
    vi.advanceTimersByTime(1000);
    expect(printed.slice(before)).toEqual(['gateway | ', 'gateway | ']);
    push('gateway', ['Error: boom at startup', 'then something else']);
    expect(printed.slice(-2)).toEqual(['gateway | Error: boom at startup', 'gateway | then something else']);
    folder.close();
  });

  it('prints everything as it comes when no crash happened yet', () => {
    const { printed, push } = fold();
    push('web', ['web listening', '', 'Error: logged, not fatal', '    at x (/a.ts:1:1)']);
    expect(printed).toEqual(
      tagged('web', ['web listening', '', 'Error: logged, not fatal', '    at x (/a.ts:1:1)']),
    );
  });
});
