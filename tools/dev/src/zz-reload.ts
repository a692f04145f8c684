import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { startServices } from './commands/start.js';
import { stopServices } from './commands/stop.js';
import { watchServices } from './commands/watch.js';
import { createMemoryReporter } from './format/reporter.js';
import { createTempCheckout } from './test-support/temp-checkout.js';

const backend = process.argv[2] ?? 'systemd';
const n = Number(process.argv[3] ?? 6);
const temp = createTempCheckout();
const lines: string[] = [];
try {
  const report = await startServices({ checkout: temp.checkout, backend, reporter: createMemoryReporter() });
  const session = await watchServices({
    checkout: temp.checkout,
    report,
    typecheck: false,
    log: (s, l) => lines.push(`${s}: ${l}`),
  });
  const file = join(temp.checkout.root, 'apps/controller/src/revision.ts');
  const original = await readFile(file, 'utf8');
  await new Promise((r) => setTimeout(r, 1500));
  for (let i = 0; i < n; i++) {
    const before = lines.length;
    const t = performance.now();
    await writeFile(file, original.replace(/REVISION = \d+/, `REVISION = ${100 + i}`));
    await waitFor(() => lines.slice(before).some((l) => /reloaded in|Unable/.test(l)), { timeoutMs: 20000 });
    console.log(
      `edit ${i}: ${Math.round(performance.now() - t)} ms :: ${lines
        .slice(before)
        .filter((l) => /reloaded|Unable/.test(l))
        .join(' | ')}`,
    );
    await new Promise((r) => setTimeout(r, 400));
  }
  await session.close();
} finally {
  await stopServices({ checkout: temp.checkout, reporter: createMemoryReporter() });
  temp.remove();
}
