import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Checkout } from '../checkout/checkout.js';
import { runtimeProgramPath } from '../os/runtime-program.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import { createContractCheckout, fixtureUnit, waitForHealthy } from '../test-support/contract-harness.js';
import { ProcessSupervisor } from './process.js';

const KEEPER = runtimeProgramPath('keeper');

describe('process keeper', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('a second keeper for a unit that already has one exits without running the service again', async () => {
    const { checkout, remove }: { checkout: Checkout; remove: () => void } = createContractCheckout();
    const supervisor = new ProcessSupervisor({ unitsDir: checkout.unitsDir });
    const unit = await fixtureUnit(checkout, 'controller');
    let second: ReturnType<typeof spawn> | undefined;
    cleanup = async () => {
      // Were the lock broken, the second keeper would run the service too: stop it as well.
      if (second && second.exitCode === null) {
        const exited = new Promise((resolve) => second!.once('exit', resolve));
        second.kill('SIGTERM');
        await exited;
      }
      await supervisor.uninstall(unit);
      remove();
    };
    await supervisor.install(unit);
    await supervisor.start(unit);
    await waitForHealthy(supervisor, unit);
    const statePath = join(checkout.unitsDir, `${unit.label}.json`);
    const before = JSON.parse(await readFile(statePath, 'utf8'));

    // What an orchestrator killed right after spawning a keeper leaves the next start to do.
    second = spawn(
      process.execPath,
      [KEEPER, join(checkout.unitsDir, `${unit.label}.unit.json`), statePath],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    second.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));

    expect(code).toBe(0);
    expect(stderr).toMatch(/another keeper already runs/);
    const after = JSON.parse(await readFile(statePath, 'utf8'));
    expect(after.keeper.pid).toBe(before.keeper.pid);
    expect(after.child.pid).toBe(before.child.pid);
    // The service runs once: only the first keeper's child carries the checkout's marker.
    expect(await findMarkedProcesses(checkout.id)).toEqual([before.child.pid]);
  });
});
