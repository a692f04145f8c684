import { describe, expect, it } from 'vitest';
import { allocateBenchPorts, BELOW_EPHEMERAL } from './bench-ports.js';

describe('allocateBenchPorts', () => {
  it('hands out distinct ports below the ephemeral range, never one twice in a run', async () => {
    const ports: number[] = [];
    for (let tool = 0; tool < 5; tool++) ports.push(...Object.values(await allocateBenchPorts()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(BELOW_EPHEMERAL.from);
      expect(port).toBeLessThanOrEqual(BELOW_EPHEMERAL.to);
    }
  });
});
