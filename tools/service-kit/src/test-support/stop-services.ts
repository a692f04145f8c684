import { expect } from 'vitest';
import type { ServiceProcess } from './service-process.js';

/** Stops and forgets every service in `children` (for `afterEach`), checking each pid is gone. */
export async function stopServices(children: ServiceProcess[]): Promise<void> {
  const stopped = children.splice(0);
  await Promise.all(stopped.map((child) => child.stop()));
  for (const child of stopped) expect(child.exit).toBeDefined();
}
