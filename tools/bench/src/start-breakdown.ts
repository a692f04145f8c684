import { summarizeSamples } from './summarize-samples.js';

const READY_LINE = /(\d+) services ready \(\w+\) in ([\d.]+) (ms|s)\b/;
const SERVICE_LINE = /^(gateway|controller|web)\s+http\S+\s+\d+\s+(started|attached)\s+([\d.]+) (ms|s)\s*$/;

const toMs = (value: string, unit: string) => Number(value) * (unit === 's' ? 1000 : 1);

/**
 * Where our start command's time went, from what it printed (`N services ready (backend) in T` and
 * the per-service times): the median time inside `startServices` per service and in total, and
 * what is left of the end-to-end median (node + tsx start-up, module loading, exit).
 * `undefined` when no output could be read.
 */
export function describeStartBreakdown(
  outputs: readonly string[],
  endToEndMedian: number | undefined,
): string | undefined {
  const totals: number[] = [];
  const perService = new Map<string, number[]>();
  for (const output of outputs) {
    for (const line of output.split('\n')) {
      const ready = READY_LINE.exec(line);
      if (ready) totals.push(toMs(ready[2] as string, ready[3] as string));
      const service = SERVICE_LINE.exec(line.trim());
      if (service) {
        const list = perService.get(service[1] as string) ?? [];
        list.push(toMs(service[3] as string, service[4] as string));
        perService.set(service[1] as string, list);
      }
    }
  }
  const total = summarizeSamples(totals);
  if (!total) return undefined;
  const services = [...perService]
    .map(([name, samples]) => `${name} ${Math.round(summarizeSamples(samples)?.median ?? 0)}`)
    .join(', ');
  const outside =
    endToEndMedian === undefined
      ? ''
      : `; outside it (node + tsx start-up, loading modules, exit) ~${Math.round(endToEndMedian - total.median)} ms`;
  return `its own report: services ready in median ${Math.round(total.median)} ms (${services} ms)${outside}`;
}
