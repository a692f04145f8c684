import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serviceLabel } from '../checkout/service-identity.js';
import { createMemoryReporter } from '../format/reporter.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { teardownOtherBackends } from './teardown.js';

// A systemctl on PATH that records each call and answers the user manager probe as a running manager.
const FAKE_SYSTEMCTL = `#!/bin/sh
echo "$*" >> "$SYSTEMCTL_CALLS"
case "$*" in *SystemState*) echo running ;; esac
exit 0
`;

describe('teardownOtherBackends', () => {
  let dir: string;
  let temp: TempCheckout;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nexu-teardown-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'run', 'systemd', 'user'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'systemctl'), FAKE_SYSTEMCTL);
    chmodSync(join(dir, 'bin', 'systemctl'), 0o755);
    writeFileSync(join(dir, 'calls'), '');
    process.env.PATH = `${join(dir, 'bin')}:${process.env.PATH}`;
    process.env.XDG_RUNTIME_DIR = join(dir, 'run');
    process.env.SYSTEMCTL_CALLS = join(dir, 'calls');
    process.env.NEXU_DEV_KEEPER_REGISTRY = join(dir, 'registry');
    temp = createTempCheckout({ services: false });
  });

  afterEach(() => {
    process.env = { ...saved };
    temp.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean);

  it('asks no other manager when no other backend holds units of this checkout', async () => {
    const stopped = await teardownOtherBackends(temp.checkout, 'process', createMemoryReporter());
    expect(stopped).toEqual([]);
    expect(calls()).toEqual([]);
  });

  it('tears down the units another backend holds for this checkout', async () => {
    const label = serviceLabel('controller', temp.checkout.id);
    writeFileSync(join(dir, 'run', 'systemd', 'user', `${label}.service`), 'Environment="PORT=1"\n');
    const stopped = await teardownOtherBackends(temp.checkout, 'process', createMemoryReporter());
    expect(stopped).toEqual([label]);
    expect(calls()[0]).toBe('--user show -p SystemState --value');
  });
});
