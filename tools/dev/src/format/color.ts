import { styleText } from 'node:util';

export type Style = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'dim' | 'bold';

const STYLES: readonly Style[] = ['red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'dim', 'bold'];

/**
 * Whether output to `stream` gets colour: `FORCE_COLOR` (not 0) forces it; `NO_COLOR`
 * (https://no-color.org), `TERM=dumb` or a stream that is not a terminal turn it off.
 */
export function shouldColour(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/** Colour functions that are identity functions when colour is off. */
export type Palette = Readonly<Record<Style, (text: string) => string>>;

/** A palette for output that is (`enabled`) or is not coloured. */
export function createPalette(enabled: boolean): Palette {
  return Object.fromEntries(
    STYLES.map((style) => [
      style,
      enabled ? (text: string) => styleText(style, text) : (text: string) => text,
    ]),
  ) as Record<Style, (text: string) => string>;
}

// node:util's styleText, not chalk: the everyday commands (`pnpm start` attaching, `pnpm status`)
// must start fast, and loading zx for its chalk alone costs a few hundred ms there.
/** Palette for this process's terminal output (decided once, from stdout). */
export const paint: Palette = createPalette(shouldColour(process.stdout.isTTY === true));
