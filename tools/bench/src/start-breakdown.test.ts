import { describe, expect, it } from 'vitest';
import { describeStartBreakdown } from './start-breakdown.js';

describe('describeStartBreakdown', () => {
  const run = (gateway: string, total: string) =>
    [
      'service     url                     pid    mode     time',
      '----------  ----------------------  -----  -------  ------',
      `gateway     http://127.0.0.1:18789  101    started  ${gateway}`,
      'controller  http://127.0.0.1:18790  102    started  400 ms',
      'web         http://127.0.0.1:18791  103    attached  20 ms',
      `3 services ready (process) in ${total}`,
    ].join('\n');

  it('reads the totals and per-service times (ms and s) and says what is left outside', () => {
    expect(describeStartBreakdown([run('300 ms', '1.20 s'), run('500 ms', '1.40 s')], 2000)).toBe(
      'its own report: services ready in median 1300 ms (gateway 400, controller 400, web 20 ms); outside it (node + tsx start-up, loading modules, exit) ~700 ms',
    );
  });

  it('returns undefined when nothing was printed', () => {
    expect(describeStartBreakdown(['boom'], 100)).toBeUndefined();
  });
});
