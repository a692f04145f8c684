import { waitUntil } from '@nexu/service-kit/test-support';
import { describe, expect, it } from 'vitest';
import { json, put, useControllerHarness } from './controller-test-harness.js';

const { start, startGateway } = useControllerHarness();

describe('controller server', () => {
  it('is ready once its gateway link is up, and then a gateway-backed request gets a real answer', async () => {
    const { url } = await start(await startGateway());
    await waitUntil('the controller is ready', async () => (await json(`${url}/health`)).body.ready === true);
    expect((await json(`${url}/health`)).body.waitingFor).toBeUndefined();
    expect((await json(`${url}/api/sessions/none`)).status).toBe(404);
  });

  it('forwards session reads and writes to the gateway', async () => {
    const { url } = await start(await startGateway());
    await waitUntil(
      'the gateway link to be active',
      async () => (await json(`${url}/api/runtime`)).body.gateway.state === 'active',
    );
    expect(await json(`${url}/api/sessions/s1`, put('{"user":"ann"}'))).toMatchObject({
      status: 200,
      body: { id: 's1' },
    });
    expect(await json(`${url}/api/sessions/s1`)).toMatchObject({
      status: 200,
      body: { id: 's1', data: { user: 'ann' } },
    });
    expect(await json(`${url}/api/sessions/missing`)).toMatchObject({ status: 404 });
  });
});
