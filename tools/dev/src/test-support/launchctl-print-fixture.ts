import { readFileSync } from 'node:fs';

/**
 * A recorded `launchctl print` (test-support/launchctl-print/<name>.txt) without its header: the
 * leading `#` lines that name the public source it was taken from.
 */
export function readLaunchctlPrintFixture(name: string): string {
  const text = readFileSync(new URL(`./launchctl-print/${name}.txt`, import.meta.url), 'utf8');
  const lines = text.split('\n');
  const body = lines.findIndex((line) => !line.startsWith('#'));
  return lines.slice(body).join('\n');
}
