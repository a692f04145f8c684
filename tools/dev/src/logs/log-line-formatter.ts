import { createPalette } from '../format/color.js';
import { SERVICE_NAMES } from '../services/manifest.js';
import type { LogLine } from './follow-logs.js';

type Colour = 'cyan' | 'magenta' | 'yellow' | 'green' | 'blue' | 'red';
const PALETTE: readonly Colour[] = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'];

/**
 * A stable colour for a service name, the same in every run and whichever services are shown:
 * manifest services take the palette in manifest order (so they never share one), other names a
 * hash of the name.
 */
export function colourForService(service: string): Colour {
  const known = (SERVICE_NAMES as readonly string[]).indexOf(service);
  if (known >= 0) return PALETTE[known % PALETTE.length]!;
  let hash = 0;
  for (const char of service) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

/** Formats `controller | <line>`, the name padded to the longest of `services`, coloured if asked. */
export function createLogLineFormatter(
  services: readonly string[],
  colour: boolean,
): (entry: LogLine) => string {
  const width = Math.max(0, ...services.map((service) => service.length));
  const palette = createPalette(colour);
  return ({ service, line }) => {
    const prefix = `${service.padEnd(width)} |`;
    return `${palette[colourForService(service)](prefix)} ${line}`;
  };
}
