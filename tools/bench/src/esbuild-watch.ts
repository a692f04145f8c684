import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ServiceSpec } from '@nexu/dev';
// The same options `pnpm build` uses, so a peer's rebuilt dist is the bundle ours produces.
import { serviceBuildOptions } from '@nexu/dev/build-service';

/** The esbuild CLI a service resolves (its own devDependency). */
function esbuildBin(serviceDir: string): string {
  const require = createRequire(join(serviceDir, 'package.json'));
  return require.resolve('esbuild/bin/esbuild');
}

/**
 * `esbuild <entry> --bundle ... --watch` for one service: what people run beside a dist-watching
 * restarter (nodemon, node --watch, pm2 --watch). Keep its stdin open: esbuild's `--watch` ends
 * when stdin closes.
 */
export function esbuildWatchArgv(spec: Pick<ServiceSpec, 'name'>, serviceDir: string): string[] {
  const entry = spec.name === 'web' ? 'server/main.ts' : 'src/main.ts';
  const options = serviceBuildOptions(serviceDir, entry);
  return [
    esbuildBin(serviceDir),
    entry,
    '--bundle',
    `--platform=${options.platform}`,
    `--format=${options.format}`,
    `--target=${options.target}`,
    `--outfile=${options.outfile}`,
    '--sourcemap',
    '--log-level=warning',
    ...(options.external ?? []).map((name: string) => `--external:${name}`),
    '--watch',
  ];
}
