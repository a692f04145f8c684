import { createServer, type Server } from 'node:http';
import getPort from 'get-port';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceStatus, Supervisor, UnitSpec } from '../supervisor/supervisor.js';
import { sampleUnit } from '../test-support/sample-unit.js';
import { waitForServiceReady } from './wait-for-service-ready.js';

/** A supervisor that reports `state` for every unit and supports nothing else. */
const reporting = (state: ServiceStatus['state']) =>
  ({
    status: async (unit: UnitSpec) => ({ label: unit.label, state, pid: null, restarts: 0, lastExit: null }),
  }) as unknown as Supervisor;

describe('waitForServiceReady', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('returns as soon as the service answers, not at the next status check', async () => {
    const port = await getPort();
    server = createServer((_req, res) =>
      res.end(
        JSON.stringify({ ok: true, service: 'gateway', pid: 4242, instance: 'ab12cd34', startedAt: 'now' }),
      ),
    );
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    // A status check every 10 minutes: were the answer held back until the next one, this would
    // run into the test's deadline.
    const ready = await waitForServiceReady(
      reporting('starting'),
      sampleUnit({ port }),
      { instance: 'ab12cd34' },
      { timeoutMs: 10_000, path: '/health', statusIntervalMs: 600_000 },
    );
    expect(ready).toMatchObject({ ok: true, answer: { pid: 4242 } });
  });

  it('gives up early when the supervisor reports the service crashed', async () => {
    const ready = await waitForServiceReady(
      reporting('crashed'),
      sampleUnit({ port: await getPort() }),
      { instance: 'ab12cd34' },
      { timeoutMs: 60_000, path: '/health', statusIntervalMs: 20 },
    );
    expect(ready).toMatchObject({ ok: false, status: { state: 'crashed' } });
  });
});
