import { describe, expect, it } from 'vitest';
import { processLabel } from './process-label.js';

describe('processLabel', () => {
  it('names node processes by their script, skipping preloads, and others by binary or title', () => {
    expect(
      processLabel(
        '/usr/bin/node --require /x/preflight.cjs --import file:///x/loader.mjs /r/scripts/start.ts',
      ),
    ).toBe('start.ts');
    expect(processLabel('/usr/bin/node /r/node_modules/typescript/bin/tsc --watch')).toBe('tsc');
    expect(processLabel('/r/node_modules/esbuild/bin/esbuild src/main.ts --bundle')).toBe('esbuild');
    expect(processLabel('PM2 v7.0.4: God Daemon (/tmp/pm2)')).toBe('PM2 v7.0.4:');
    expect(processLabel('node /tmp/x/apps/web/dist/main.js')).toBe('main.js');
  });
});
