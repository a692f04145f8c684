import { copyFileSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { describe, expect, it } from 'vitest';
import { findPortOwner } from '../os/port-owner.js';
import { expectedPorts } from '../ports/resolve-port.js';
import { findService } from '../services/manifest.js';
import { resolveUnitSpec } from '../services/unit-spec.js';
import { createSupervisor } from '../supervisor/select-supervisor.js';
import { spawnListener } from '../test-support/spawn-listener.js';
import { useBackendCheckouts } from '../test-support/use-backend-checkouts.js';
import { nodeUnitsCheck } from './node-units-check.js';
import { portsCheck } from './ports-check.js';
import { runDoctor } from './run-doctor.js';
import { servicesCheck } from './services-check.js';

// What the start planner decides, as doctor tells it: on the process backend, which runs anywhere.
const env = { ...process.env, NEXU_DEV_BACKEND: 'process' };

describe('the checks that read the start plan', { timeout: 60_000 }, () => {
  const checkouts = useBackendCheckouts('process');

  it('a foreign listener on the next port: names its pid and command, the port start moves to, and how to free it', async () => {
    const checkout = checkouts.open();
    const port = expectedPorts(checkout, null).gateway;
    const listener = await spawnListener({ port });
    checkouts.killAfter(listener.pid);
    const { checks } = await runDoctor({ checkout, env, checks: [portsCheck] });
    const gateway = checks.find((c) => c.id === 'ports.gateway');
    expect(gateway?.status).toBe('warn');
    // The command is the listener's whole command line, as the port owner lookup reads it.
    const { command } = (await findPortOwner(port)) as { command: string };
    const moved = /pnpm start uses (\d+) instead$/.exec(gateway?.finding ?? '')?.[1];
    expect(gateway?.finding).toBe(
      `gateway: port ${port} is held by pid ${listener.pid} (${command}), not ours: pnpm start uses ${moved} instead`,
    );
    expect(Number(moved)).not.toBe(port);
    expect(gateway?.fix).toBe(
      `If pid ${listener.pid} is yours to stop: \`kill ${listener.pid}\`; otherwise nothing to do: gateway runs on ${moved} (never touching it).`,
    );
    expect(checks.find((c) => c.id === 'ports.controller')?.status).toBe('ok');
  });

  it('a unit drifted by a changed node: names the node it runs and its manager, and that start replaces it', async () => {
    const checkout = checkouts.open();
    // Another node, as nvm installs one: the same binary at another real path.
    const nvmNode = join(checkout.tmpDir, 'home', '.nvm', 'versions', 'node', 'v20.0.0', 'bin', 'node');
    mkdirSync(dirname(nvmNode), { recursive: true });
    try {
      linkSync(process.execPath, nvmNode);
    } catch {
      copyFileSync(process.execPath, nvmNode);
    }
    const supervisor = createSupervisor('process', { checkout });
    const spec = findService('gateway')!;
    const unit = resolveUnitSpec(spec, checkout, expectedPorts(checkout, null), { nodePath: nvmNode });
    await supervisor.install(unit);
    await supervisor.start(unit);
    const running = await waitFor(
      async () => (await supervisor.status(unit)).state === 'running' || undefined,
      {
        timeoutMs: 20_000,
      },
    );
    expect(running.ok).toBe(true);
    const { pid } = await supervisor.status(unit);

    const { checks } = await runDoctor({ checkout, env, checks: [nodeUnitsCheck, servicesCheck] });
    const node = checks.find((c) => c.id === 'node.units.gateway');
    expect(node?.status).toBe('warn');
    expect(node?.finding).toMatch(
      new RegExp(
        `^gateway runs ${nvmNode.replaceAll('.', '\\.')} \\(nvm\\), units now run \\S+ \\(\\w+\\): the next pnpm start replaces it \\(unit changed: argv\\)$`,
      ),
    );
    expect(node?.fix).toContain('`pnpm start` (it replaces the service on this node)');
    const gateway = checks.find((c) => c.id === 'services.gateway');
    expect(gateway).toMatchObject({ status: 'warn', fix: '`pnpm start` (replaces it).' });
    expect(gateway?.finding).toMatch(
      new RegExp(`^gateway runs \\(pid ${pid}\\) but unit changed: argv, env\\.PATH`),
    );
  });

  it("a crash-looped service fails with the breaker's reason and the last error of its log", async () => {
    const checkout = checkouts.open();
    const spec = findService('gateway')!;
    const script = join(checkout.root, spec.dir, 'dist', 'crash.mjs');
    writeFileSync(script, "throw new Error('boom at startup');\n");
    const supervisor = createSupervisor('process', { checkout });
    const rendered = resolveUnitSpec(spec, checkout, expectedPorts(checkout, null));
    const unit = { ...rendered, argv: [rendered.argv[0]!, script] };
    await supervisor.install(unit);
    await supervisor.start(unit);
    const crashed = await waitFor(
      async () => (await supervisor.status(unit)).state === 'crashed' || undefined,
      {
        timeoutMs: 40_000,
      },
    );
    expect(crashed.ok).toBe(true);
    const { reason } = await supervisor.status(unit);

    const { checks } = await runDoctor({ checkout, env, checks: [servicesCheck] });
    expect(checks.find((c) => c.id === 'services.gateway')).toEqual({
      id: 'services.gateway',
      status: 'fail',
      finding: `gateway crashed (${reason}); last error: Error: boom at startup at apps/gateway/dist/crash.mjs:1:7`,
      fix: '`pnpm logs --service gateway --no-follow` shows why; fix it, then `pnpm start`.',
    });
  });
});
