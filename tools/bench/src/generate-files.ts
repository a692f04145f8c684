import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `count` small source files under `dir` (1,000 per sub-folder, as a generated tree looks),
 * `.ts` or `.js` by `extension`. Nothing imports them: they only load the file watchers.
 */
export function generateFiles(dir: string, count: number, extension: 'ts' | 'js'): void {
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `part-${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `file-${i}.${extension}`), `export const value${i} = ${i};\n`);
  }
}
